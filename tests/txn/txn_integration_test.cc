// End-to-end tests of txn-list-append and txn-rw-register: real runs of the squall binary
// against maelstrom_gossip processes. The positive runs are the acceptance
// commands with a shorter time limit; each negative control switches on one txn fault
// and must be caught with its anomaly named. Parameters were chosen so the fault shows
// in every run (checked by hand over seeds 1-5); runs are a few seconds each.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "testing/squall_run.h"

namespace {

using squall::testing::contains;
using squall::testing::kGossip;
using squall::testing::RunResult;
using squall::testing::verdict_is;

RunResult squall_test(const std::string& name, const std::string& args) {
  return squall::testing::squall_test("txn", name, args, 120);
}

TEST(TxnE2E, RwRegisterIsTotallyAvailableAndReadCommittedUnderPartitions) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("rw-register-valid", "-w txn-rw-register --bin " + kGossip +
                                                     " --node-count 2 --concurrency 2n --time-limit 6 --rate 1000"
                                                     " --consistency-models read-committed --availability total"
                                                     " --nemesis partition --nemesis-interval 1 --recovery-time 1"
                                                     " --seed 2");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  std::string results = r.results_edn();
  EXPECT_TRUE(contains(results, ":workload {:valid? true, :anomaly-types [")) << results.substr(0, 2000);
  EXPECT_TRUE(contains(results, ":consistency-models [:read-committed]")) << results.substr(0, 2000);
  // The reproduce line asks for the same models and availability, or it would not.
  EXPECT_TRUE(contains(r.out, "--availability total --consistency-models read-committed")) << r.out;
  // A valid run draws no anomaly graphs.
  EXPECT_FALSE(std::filesystem::exists(r.run_dir() / "elle"));
  EXPECT_FALSE(contains(results, ":elle-graphs"));
}

TEST(TxnE2E, ListAppendIsStrictSerializableUnderPartitions) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("list-append-valid", "-w txn-list-append --bin " + kGossip +
                                                     " --node-count 3 --time-limit 6 --rate 100 --latency 5"
                                                     " --nemesis partition --nemesis-interval 1 --recovery-time 1"
                                                     " --seed 2");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_TRUE(contains(r.results_edn(), ":workload {:valid? true, :anomaly-types [], ")) << r.results_edn();
  EXPECT_FALSE(std::filesystem::exists(r.run_dir() / "elle"));
}

TEST(TxnE2E, AbortedReadsAreG1a) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("aborted-read", "-w txn-rw-register --bin " + kGossip +
                                                " --node-count 2 --concurrency 2n --time-limit 3 --rate 500"
                                                " --consistency-models read-committed --recovery-time 1 --seed 1"
                                                " -- --fault txn-aborted-read");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_TRUE(contains(r.out, "G1a (")) << r.out;
  EXPECT_TRUE(contains(r.results_edn(), ":not #{:read-committed")) << r.results_edn().substr(0, 3000);
}

TEST(TxnE2E, BlindCommitsLoseUpdates) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("lost-update", "-w txn-list-append --bin " + kGossip +
                                               " --node-count 3 --time-limit 5 --rate 100 --latency 5"
                                               " --recovery-time 1 --seed 1 -- --fault txn-lost-update");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_TRUE(contains(r.out, "lost-update (")) << r.out;
}

TEST(TxnE2E, ReadSkewIsGSingle) {
  SQUALL_REQUIRE_BINARIES();
  RunResult r = squall_test("read-skew", "-w txn-list-append --bin " + kGossip +
                                             " --node-count 3 --time-limit 5 --rate 100 --recovery-time 1 --seed 1"
                                             " -- --fault txn-read-skew");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_TRUE(contains(r.out, "G-single (")) << r.out;
  // The cycle is explained step by step: an anti-dependency and the read that closes it.
  EXPECT_TRUE(contains(r.results_edn(), ":steps [{:type :rw")) << r.results_edn().substr(0, 3000);
  // The cycle is drawn: elle/G-single-0.svg, listed in the results and named in the report.
  std::string svg = squall::testing::slurp(r.run_dir() / "elle" / "G-single-0.svg");
  EXPECT_TRUE(contains(svg, "G-single: a dependency cycle through")) << svg.substr(0, 500);
  EXPECT_TRUE(contains(svg, "rules out: repeatable-read, snapshot-isolation")) << svg.substr(0, 500);
  EXPECT_TRUE(contains(svg, "class=\"edge edge-rw\"")) << svg.substr(0, 500);
  EXPECT_FALSE(contains(svg, "<script"));
  EXPECT_TRUE(std::filesystem::exists(r.run_dir() / "elle" / "index.html"));
  EXPECT_TRUE(contains(r.results_edn(), ":elle-graphs [\"elle/")) << r.results_edn().substr(0, 3000);
  EXPECT_TRUE(contains(r.results_edn(), " \"elle/G-single-0.svg\" ")) << r.results_edn().substr(0, 3000);
  EXPECT_TRUE(contains(r.out, "anomaly graphs: ")) << r.out;
}

}  // namespace
