#include "harness/report.h"

#include <gtest/gtest.h>

namespace squall::harness {
namespace {

TEST(Report, ExpectedRounds) {
  EXPECT_EQ(expected_rounds(1), 0);
  EXPECT_EQ(expected_rounds(5), 3);
  EXPECT_EQ(expected_rounds(25), 5);
  EXPECT_EQ(expected_rounds(32), 5);
}

TEST(Report, PassAndFailLayouts) {
  history::Value set = history::Value::array_map();
  set.set("attempt-count", 200);
  set.set("lost-count", 0);
  set.set("stable-count", 200);
  history::Value q = history::Value::array_map();
  q.set(history::Value(0), 0);
  q.set(history::Value(0.5), 12);
  q.set(history::Value(0.95), 40);
  q.set(history::Value(0.99), 55);
  q.set(history::Value(1), 60);
  set.set("stable-latencies", q);
  ReportInput in;
  in.workload = "broadcast";
  in.nodes = 5;
  in.duration_s = 12.3;
  in.ops = 400;
  in.nemesis = "partition (2 partitions)";
  in.verdict = Verdict::kValid;
  in.set_result = &set;
  in.rounds.measured = true;
  in.rounds.max_rounds = 3;
  in.rounds.elements = 100;
  in.anomalies = {"should not show"};
  std::string r = render_report(in);
  EXPECT_NE(r.find("MAELSTROM REPORT — broadcast"), std::string::npos);
  EXPECT_NE(r.find("Result: PASS"), std::string::npos);
  EXPECT_NE(r.find("Lost messages: 0 (0.0% of 200 attempted)"), std::string::npos);
  EXPECT_NE(r.find("Stable: 200 (100.0%)"), std::string::npos);
  EXPECT_NE(r.find("p95: 40"), std::string::npos);
  EXPECT_NE(r.find("Status: WITHIN BOUND"), std::string::npos);
  EXPECT_EQ(r.find("Anomalies"), std::string::npos);

  in.verdict = Verdict::kInvalid;
  in.rounds.max_rounds = 4;
  in.anomalies = {"3 acknowledged messages lost"};
  r = render_report(in);
  EXPECT_NE(r.find("Result: FAIL"), std::string::npos);
  EXPECT_NE(r.find("Status: EXCEEDS BOUND"), std::string::npos);
  EXPECT_NE(r.find("Anomalies found:\n  - 3 acknowledged messages lost"), std::string::npos);
}

// Protocol violations show on a passing run too, and node text never reaches the
// terminal raw.
TEST(Report, WarningsShowWhateverTheVerdictAndAreEscaped) {
  ReportInput in;
  in.workload = "echo";
  in.nodes = 1;
  in.verdict = Verdict::kValid;
  in.warnings = {"2 protocol violation(s) of kind non-json, e.g. from n0 at 0.5 s: not JSON\n      line: \x1b[2Jboom"};
  std::string r = render_report(in);
  EXPECT_NE(r.find("Result: PASS\nWarnings: protocol violations (the ops they touched are :info"), std::string::npos)
      << r;
  EXPECT_NE(r.find("  ! 2 protocol violation(s) of kind non-json"), std::string::npos) << r;
  EXPECT_EQ(r.find('\x1b'), std::string::npos) << r;
  EXPECT_NE(r.find("\\x1b[2Jboom"), std::string::npos) << r;
  in.strict = true;
  in.verdict = Verdict::kInvalid;
  EXPECT_NE(render_report(in).find("Warnings: protocol violations (--strict: they fail the run)"), std::string::npos);
}

}  // namespace
}  // namespace squall::harness
