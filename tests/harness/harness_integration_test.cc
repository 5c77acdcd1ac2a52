// End-to-end tests of `squall test`: every verdict here comes from a real run of the
// squall binary against real node processes. Runs are short (a few seconds of main
// phase, --recovery-time 1-3 s) and wrapped in `timeout` so no fixture can hang CI.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/testing/subprocess.h"
#include "testing/squall_run.h"

namespace {

namespace fs = std::filesystem;

using squall::testing::kGossip;
using squall::testing::kSquall;
using squall::testing::NameFromParam;
using squall::testing::RunResult;
using squall::testing::slurp;
using squall::testing::verdict_is;
const std::string kNodes = squall::testing::kSource + "/tests/harness/nodes";

std::string store_for(const std::string& name) { return squall::testing::fresh_store("harness", name); }

RunResult squall_test(const std::string& name, const std::string& args) {
  return squall::testing::squall_test("harness", name, args);
}

const char* kShort =
    "--node-count 5 --time-limit 3 --rate 30 --nemesis partition --nemesis-interval 1 --recovery-time 2";

// ---- positive runs -------------------------------------------------------------------

class GossipValid : public ::testing::TestWithParam<const char*> {};

TEST_P(GossipValid, UnderPartitions) {
  SQUALL_REQUIRE_BINARIES();
  std::string w = GetParam();
  RunResult r = squall_test("valid-" + w, "-w " + w + " --bin " + kGossip + " " + kShort);
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_NE(r.out.find("MAELSTROM REPORT — " + w), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Nemesis: partition"), std::string::npos) << r.out;
  std::string results = r.results_edn();
  EXPECT_NE(results.find(":valid? true"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Workloads, GossipValid,
                         ::testing::Values("echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter"),
                         NameFromParam());

TEST(HarnessE2E, Broadcast25NodesWithLatency) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("broadcast-25", "-w broadcast --bin " + kGossip +
                                                " --node-count 25 --time-limit 5 --rate 100 --latency 100 "
                                                "--nemesis partition --recovery-time 3");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_NE(r.out.find("Lost messages: 0 "), std::string::npos) << r.out;
  fs::path dir = fs::path(r.store) / "latest";
  for (const char* f : {"results.edn", "results.json", "history.edn", "history.txt", "jepsen.log", "report.txt"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  EXPECT_TRUE(fs::exists(dir / "node-logs" / "n24.log"));
  EXPECT_TRUE(fs::exists(fs::path(r.store) / "broadcast" / "latest"));
  std::string results = slurp(dir / "results.edn");
  for (const char* key : {":attempt-count", ":stable-count", ":lost-count", ":never-read-count", ":stale-count",
                          ":worst-stale", ":stable-latencies {0 ", ":msgs-per-op"}) {
    EXPECT_NE(results.find(key), std::string::npos) << key;
  }
}

TEST(HarnessE2E, PythonNodeWrittenForMaelstromRunsUnchanged) {
  RunResult r =
      squall_test("python-echo", "-w echo --bin " + kNodes + "/echo.py --node-count 3 --time-limit 2 --rate 20");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_NE(slurp(fs::path(r.store) / "latest" / "node-logs" / "n1.log").find("initialised as n1"), std::string::npos);
}

TEST(HarnessE2E, PythonGossipNodeServesSetsAndCounters) {
  RunResult set = squall_test("python-gset", "-w g-set --bin " + kNodes + "/multi.py " + kShort + " -- --read set");
  EXPECT_TRUE(verdict_is(set, 0, "PASS"));
  RunResult ctr =
      squall_test("python-pn", "-w pn-counter --bin " + kNodes + "/multi.py " + kShort + " -- --read counter");
  EXPECT_TRUE(verdict_is(ctr, 0, "PASS"));
}

// ---- negative controls ---------------------------------------------------------------

struct Control {
  const char* name;
  const char* workload;
  const char* fault;
  const char* cause;       // text the report must contain
  const char* flags = "";  // protocol violations fail a run only under --strict
};

class NegativeControl : public ::testing::TestWithParam<Control> {};

TEST_P(NegativeControl, IsInvalidAndNamesTheCause) {
  SQUALL_REQUIRE_BINARIES();
  const Control& c = GetParam();
  RunResult r =
      squall_test(std::string("neg-") + c.name, std::string("-w ") + c.workload + " --bin " + kGossip +
                                                    " --node-count 5 --time-limit 3 --rate 30 --recovery-time 1 " +
                                                    c.flags + " -- --fault " + c.fault);
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_NE(r.out.find("Anomalies found:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(c.cause), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Faults, NegativeControl,
                         ::testing::Values(Control{"no_gossip", "broadcast", "no-gossip", "acknowledged messages lost"},
                                           Control{"garbage_line", "broadcast", "garbage-line",
                                                   "protocol violation(s) of kind non-json", "--strict"},
                                           Control{"crash", "broadcast", "crash-after=40", "crashed at"},
                                           Control{"duplicate_ids", "unique-ids", "duplicate-ids",
                                                   "acknowledged more than once"},
                                           Control{"lose_adds", "g-counter", "lose-adds", "counter reads impossible"}),
                         [](const auto& info) { return std::string(info.param.name); });

// Without --strict the same garbage is a warning: the checkers find nothing wrong.
TEST(HarnessE2E, GarbageLineIsAWarningWithoutStrict) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("warn-garbage-line", "-w broadcast --bin " + kGossip +
                                                     " --node-count 5 --time-limit 3 --rate 30 --recovery-time 1"
                                                     " -- --fault garbage-line");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_NE(r.out.find("Warnings: protocol violations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("protocol violation(s) of kind non-json"), std::string::npos) << r.out;
  EXPECT_NE(r.results_edn().find(":by-kind {:non-json "), std::string::npos) << r.results_edn();
}

TEST(HarnessE2E, ReplyWithExtraKeyIsMalformed) {
  RunResult r = squall_test("neg-extra-key",
                            "-w broadcast --bin " + kNodes +
                                "/multi.py --node-count 3 --time-limit 2 --rate 20 --recovery-time 1 --strict -- "
                                "--fault extra-key");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_NE(r.out.find("broadcast_ok has unexpected key \"message\""), std::string::npos) << r.out;
}

// ---- determinism ---------------------------------------------------------------------

// The generator's invocations (f and value, in order) and the nemesis values.
struct Trace {
  std::vector<std::string> invocations;
  std::vector<std::string> nemesis;
};

Trace trace_of(const std::string& store) {
  Trace t;
  std::ifstream in(fs::path(store) / "latest" / "history.edn");
  std::string line;
  while (std::getline(in, line)) {
    auto f = line.find(":f ");
    auto proc = line.find(", :process ");
    if (f == std::string::npos || proc == std::string::npos) continue;
    std::string fv = line.substr(f, proc - f);
    if (line.find(":process :nemesis") != std::string::npos) {
      t.nemesis.push_back(fv);
    } else if (line.find(":type :invoke") != std::string::npos && line.find(":final? true") == std::string::npos) {
      t.invocations.push_back(fv);
    }
  }
  return t;
}

TEST(HarnessE2E, SameSeedSameScheduleAndGeneratorSequence) {
  SQUALL_REQUIRE_BINARIES();
  std::string args = "-w pn-counter --bin " + kGossip +
                     " --node-count 5 --time-limit 3 --rate 40 --nemesis partition --nemesis-interval 0.3 "
                     "--recovery-time 0.5 --seed ";
  RunResult a = squall_test("seed-a", args + "12345");
  RunResult b = squall_test("seed-b", args + "12345");
  RunResult c = squall_test("seed-c", args + "54321");
  Trace ta = trace_of(a.store), tb = trace_of(b.store), tc = trace_of(c.store);
  ASSERT_GE(ta.nemesis.size(), 4u);
  EXPECT_EQ(ta.nemesis, tb.nemesis);
  EXPECT_NE(ta.nemesis, tc.nemesis);
  // Wall-clock timing may let one run squeeze in an op more or less at the end; the
  // sequence itself must be the same.
  size_t common = std::min(ta.invocations.size(), tb.invocations.size());
  ASSERT_GE(common, 50u);
  EXPECT_TRUE(
      std::equal(ta.invocations.begin(), ta.invocations.begin() + static_cast<long>(common), tb.invocations.begin()));
  size_t common_c = std::min(common, tc.invocations.size());
  EXPECT_FALSE(
      std::equal(ta.invocations.begin(), ta.invocations.begin() + static_cast<long>(common_c), tc.invocations.begin()));
  EXPECT_NE(a.err.find("seed 12345"), std::string::npos);
}

// ---- usage and lifecycle -------------------------------------------------------------

TEST(HarnessE2E, UsageErrorsExit254WithAClearMessage) {
  RunResult bad = squall_test("usage-bad-flag", "-w echo --bin /bin/true --no-such-flag");
  EXPECT_EQ(bad.exit_code, 254);
  EXPECT_NE(bad.err.find("no-such-flag"), std::string::npos) << bad.err;
  RunResult missing = squall_test("usage-missing", "-w echo --bin /nonexistent/node");
  EXPECT_EQ(missing.exit_code, 254);
  EXPECT_NE(missing.err.find("'/nonexistent/node' does not exist or is not executable"), std::string::npos)
      << missing.err;
  RunResult workload = squall_test("usage-workload", "-w bogus --bin /bin/true");
  EXPECT_EQ(workload.exit_code, 254);
  EXPECT_NE(workload.err.find("unknown workload 'bogus'"), std::string::npos) << workload.err;
  RunResult conc = squall_test("usage-conc", "-w echo --bin /bin/true --concurrency 3x");
  EXPECT_EQ(conc.exit_code, 254);
  RunResult help = squall_test("usage-help", "--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--workload", "--bin", "--node-count", "--concurrency", "--time-limit", "--rate",
                           "--latency", "--latency-dist", "--nemesis", "--nemesis-interval", "--topology",
                           "--availability", "--log-stderr", "--seed", "--recovery-time", "--store"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
}

// A node that never answers init (the 10 s init timeout) is tested on virtual time in
// virtual_time_test.cc.

TEST(HarnessE2E, SigtermStopsNodesAndKeepsTheHistory) {
  std::string store = store_for("sigterm");
  // A unique argument passed through to the nodes lets us find exactly them afterwards.
  std::string tag = "sigterm-tag-" + std::to_string(::getpid());
  using squall::testing::Stream;
  squall::testing::Subprocess child = squall::testing::Subprocess::start(
      {kSquall, "test", "-w", "broadcast", "--bin", kNodes + "/multi.py", "--node-count", "3", "--time-limit", "60",
       "--rate", "50", "--store", store, "--", tag},
      {.in = Stream::kInherit, .out = Stream::kNull, .err = Stream::kNull});
  ASSERT_TRUE(child.started());
  ::sleep(3);
  child.signal(SIGTERM);
  std::optional<int> st = child.wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(st.has_value() && WIFEXITED(*st)) << "squall must exit by itself after SIGTERM";
  EXPECT_EQ(WEXITSTATUS(*st), 2);  // unknown: the run was cut short
  fs::path dir = fs::path(store) / "latest";
  std::string results = slurp(dir / "results.edn");
  EXPECT_NE(results.find(":interrupted true"), std::string::npos) << results;
  EXPECT_NE(slurp(dir / "history.edn").find(":f :broadcast"), std::string::npos);
  // No node may survive the harness.
  // "[s]igterm" keeps pgrep from matching the shell that runs it.
  squall::testing::Completed pgrep = squall::testing::run_shell("pgrep -f '[s]" + tag.substr(1) + "' | wc -l");
  ASSERT_FALSE(pgrep.out.empty());
  EXPECT_EQ(std::atoi(pgrep.out.c_str()), 0);
}

}  // namespace
