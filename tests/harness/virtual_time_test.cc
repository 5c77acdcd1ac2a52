// The harness's long waits on virtual time: a Runner in this process, its nodes real
// processes, its clock a ManualClock that the event loop moves to the next deadline
// whenever the nodes are quiet. The init timeout (10 s) and a recovery wait (30 s) pass
// in well under their length of real time, with the same outcome as on the host's
// clock. (The init-timeout case used to be an end-to-end run that slept 10 s.)
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/clock.h"
#include "harness/config.h"
#include "harness/runner.h"
#include "workload/workload.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;

const std::string kNodes = std::string(SQUALL_SOURCE_DIR) + "/tests/harness/nodes";

std::string fresh_store(const std::string& name) {
  fs::path dir = fs::path(SQUALL_BINARY_DIR) / "test-store" / "virtual-time" / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir.string();
}

TestConfig config_for(const std::string& workload, const std::string& bin, const std::string& store) {
  TestConfig c;
  c.workload = workload;
  c.bin = bin;
  c.store_dir = store;
  auto w = workload::make_workload(workload);
  EXPECT_TRUE(w.ok());
  apply_workload_defaults(&c, **w);
  return c;
}

struct Outcome {
  RunSummary summary;
  double real_s = 0;
};

Outcome run_virtual(TestConfig config, ManualClock* clock, int settle_ms) {
  Status valid = validate(&config);
  EXPECT_TRUE(valid.ok()) << valid.error();
  auto w = workload::make_workload(config.workload);
  EXPECT_TRUE(w.ok());
  Runner runner(config, std::move(*w), RunnerTime{clock, settle_ms});
  auto t0 = std::chrono::steady_clock::now();
  auto summary = runner.run();
  Outcome out;
  out.real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(summary.ok()) << summary.error();
  if (summary.ok()) out.summary = std::move(*summary);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(VirtualTime, NodeThatNeverInitsIsReportedAfterTheInitTimeout) {
  // /bin/cat echoes init back with src/dest unchanged, never init_ok. Its lines are
  // well-formed envelopes (src need not name the sender, as in Maelstrom), routed back
  // to the node by their dest: not protocol violations. The echoes bounce between the
  // network and cat for the whole run; the network's latency paces them so that the
  // nodes fall quiet and virtual time can jump.
  TestConfig c = config_for("echo", "/bin/cat", fresh_store("no-init"));
  c.node_count = 2;
  c.time_limit_s = 1;
  c.latency_ms = 10;
  ManualClock clock(1'000'000'000);
  Outcome o = run_virtual(c, &clock, /*settle_ms=*/0);
  const RunSummary& s = o.summary;
  EXPECT_EQ(s.verdict, Verdict::kInvalid);
  EXPECT_TRUE(contains(s.report, "Result: FAIL")) << s.report;
  EXPECT_TRUE(contains(s.report, "n0 did not answer init within 10 s")) << s.report;
  EXPECT_TRUE(contains(s.report, "n1 did not answer init within 10 s")) << s.report;
  const history::Value* errors = s.results.get("node-errors");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->get("protocol-error-count")->as_int(), 0);
  // The whole init timeout passed on the run's clock, and (nearly) none of it for real.
  EXPECT_GE(s.duration_ns, 10'000'000'000);
  EXPECT_LT(o.real_s, 5.0) << "the 10 s init wait must not be slept";
}

TEST(VirtualTime, RecoveryWaitPassesBeforeTheFinalReads) {
  // A 30 s recovery wait would dominate any real test; here the gossiping nodes settle
  // in real time while the run's clock covers the 30 s. The nodes gossip every 50 ms, so
  // the clock jumps after 20 ms of quiet, by at most the loop's 200 ms housekeeping
  // period: time runs about ten times faster than real. Python takes its time to start
  // on a busy machine, so init gets 60 s of virtual time (some seconds of real), and a
  // request 30 s.
  TestConfig c = config_for("broadcast", kNodes + "/multi.py", fresh_store("recovery"));
  c.node_count = 3;
  c.time_limit_s = 2;
  c.rate = 10;
  c.recovery_time_s = 30;
  c.init_timeout_s = 60;
  c.rpc_timeout_s = 30;
  ManualClock clock;
  Outcome o = run_virtual(c, &clock, /*settle_ms=*/20);
  const RunSummary& s = o.summary;
  EXPECT_EQ(s.verdict, Verdict::kValid) << s.report;
  // Every final read was invoked after the main phase (2 s) and the recovery wait (30 s).
  std::ifstream history(fs::path(s.store_dir) / "history.edn");
  std::string line;
  int final_invokes = 0;
  int64_t first_final_ns = INT64_MAX;
  while (std::getline(history, line)) {
    if (!contains(line, ":type :invoke") || !contains(line, ":final? true")) continue;
    ++final_invokes;
    size_t at = line.find(":time ");
    ASSERT_NE(at, std::string::npos) << line;
    first_final_ns = std::min<int64_t>(first_final_ns, std::stoll(line.substr(at + 6)));
  }
  EXPECT_EQ(final_invokes, 3);
  EXPECT_GE(first_final_ns, 32'000'000'000);
  EXPECT_LT(o.real_s, 20.0) << "the 30 s recovery wait must not be slept";
}

}  // namespace
}  // namespace squall::harness
