// squall test --nemesis kill / pause / one-way on real node processes (issue 16): each
// fault is an :info nemesis op in the history, listed in the report and shaded in the
// timeline; a killed node is restarted and gets init again; echo (no state) stays valid.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "testing/squall_run.h"

namespace {

using squall::testing::kGossip;
using squall::testing::RunResult;
using squall::testing::slurp;

RunResult squall_test(const std::string& name, const std::string& args) {
  return squall::testing::squall_test("process-faults", name, args);
}

int count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST(ProcessFaults, GSetReportListsEveryKillRestartPauseAndResume) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("g-set", "-w g-set --bin " + kGossip +
                                         " --node-count 4 --time-limit 4 --rate 20 --latency 5 "
                                         "--nemesis partition,kill,pause --nemesis-interval 0.4 --recovery-time 1 "
                                         "--seed 3");
  // A killed node loses the adds it had not gossiped yet, so g-set may fail: the run
  // must finish with a verdict (0 or 1), never a harness error.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << r.err;
  std::string history = slurp(r.run_dir() / "history.txt");
  for (const char* f : {"kill", "start", "pause", "resume"}) {
    // Each action is recorded twice (as it starts, then with what it did).
    int in_history = count(history, std::string(":info\\t:") + f + "\\t\\{");
    int in_report = count(r.out, std::string("\\d s  ") + (std::string(f) == "start" ? "restart" : f) + " n\\d");
    EXPECT_GT(in_history, 0) << f;
    EXPECT_EQ(in_history, in_report) << f << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("kills"), std::string::npos) << r.out;
  std::string timeline = slurp(r.run_dir() / "timeline.html");
  EXPECT_NE(timeline.find("kill n"), std::string::npos);
  EXPECT_NE(timeline.find("pause n"), std::string::npos);
  // A restarted node's second life logs to a file of its own.
  bool second_life = false;
  for (const auto& e : std::filesystem::directory_iterator(r.run_dir() / "node-logs"))
    second_life |= e.path().filename().string().find(".1.log") != std::string::npos;
  EXPECT_TRUE(second_life);
}

TEST(ProcessFaults, EchoStaysValidUnderKillPauseAndOneWay) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("echo", "-w echo --bin " + kGossip +
                                        " --node-count 3 --time-limit 3 --rate 20 --latency 5 "
                                        "--nemesis one-way,kill,pause --nemesis-interval 0.3 --recovery-time 1 "
                                        "--seed 4");
  EXPECT_TRUE(squall::testing::verdict_is(r, 0, "PASS")) << r.out << r.err;
  EXPECT_NE(r.out.find("restart n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("crashed"), std::string::npos) << r.out;  // a kill is no crash
}

}  // namespace
