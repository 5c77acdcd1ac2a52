// Root-free tests of src/cluster: partition shapes, subnet choice, shell quoting, the
// state file's format and the nemesis list.
#include <gtest/gtest.h>

#include <algorithm>

#include "cluster/cluster_report.h"
#include "cluster/cluster_visuals.h"
#include "cluster/etcd_workloads.h"
#include "cluster/grudge.h"
#include "cluster/lock_holds.h"
#include "cluster/nemesis.h"
#include "cluster/network.h"
#include "cluster/state_file.h"
#include "cluster/transport.h"

namespace squall::cluster {
namespace {

bool drops(const Grudge& g, size_t at, size_t from) {
  return std::find(g[at].begin(), g[at].end(), from) != g[at].end();
}

TEST(Grudge, RandomHalvesIsSymmetricWithTwoSides) {
  for (uint64_t seed = 1; seed < 20; ++seed) {
    Rng rng(seed);
    Grudge g = random_halves(5, rng);
    size_t cut_off_from_two = 0, cut_off_from_three = 0;
    for (size_t i = 0; i < 5; ++i) {
      for (size_t j : g[i]) EXPECT_TRUE(drops(g, j, i)) << "seed " << seed;
      cut_off_from_two += g[i].size() == 2;
      cut_off_from_three += g[i].size() == 3;
    }
    EXPECT_EQ(cut_off_from_three, 2u);  // the minority of 2 drops the 3 others
    EXPECT_EQ(cut_off_from_two, 3u);
  }
}

TEST(Grudge, RandomNodeIsolatesExactlyOne) {
  Rng rng(7);
  Grudge g = random_node(4, rng);
  size_t lone = 4;
  for (size_t i = 0; i < 4; ++i) {
    if (g[i].size() == 3) lone = i;
  }
  ASSERT_LT(lone, 4u);
  for (size_t i = 0; i < 4; ++i) {
    if (i != lone) {
      EXPECT_EQ(g[i], std::vector<size_t>{lone});
    }
  }
}

TEST(Grudge, MajoritiesRingGivesEveryNodeAMajorityButNoCommonOne) {
  for (uint64_t seed = 1; seed < 10; ++seed) {
    Rng rng(seed);
    Grudge g = majorities_ring(5, rng);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(g[i].size(), 2u);  // sees itself + 2 of 4 = 3 of 5
      EXPECT_FALSE(drops(g, i, i));
    }
    // No node is seen by everyone (else that majority would be common).
    bool differ = false;
    for (size_t i = 1; i < 5; ++i) differ = differ || g[i] != g[0];
    EXPECT_TRUE(differ);
  }
}

TEST(Grudge, BridgeNodeSeesBothSides) {
  Rng rng(3);
  Grudge g = bridge(5, rng);
  size_t middle = 5;
  for (size_t i = 0; i < 5; ++i) {
    if (g[i].empty()) middle = i;
  }
  ASSERT_LT(middle, 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_FALSE(drops(g, i, middle));
    if (i != middle) {
      EXPECT_EQ(g[i].size(), 2u);
    }
  }
}

TEST(Grudge, OneWayDropsInOneDirectionOnly) {
  Rng rng(11);
  Grudge g = one_way_halves(4, rng);
  size_t pairs = 0;
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j : g[i]) {
      EXPECT_FALSE(drops(g, j, i));
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 4u);
}

TEST(Grudge, SameSeedSameShape) {
  Rng a(42), b(42);
  EXPECT_EQ(majorities_ring(7, a), majorities_ring(7, b));
}

TEST(Subnet, SkipsEveryOverlappingRoute) {
  auto used = parse_route_prefixes(
      "default via 192.0.2.1 dev eth0\n"
      "10.200.0.0/16 dev br0 proto kernel scope link src 10.200.0.1\n"
      "local 10.201.0.5 dev lo table local proto kernel scope host src 10.201.0.5\n"
      "garbage line\n"
      "10.201.1.0/24 dev x\n");
  ASSERT_EQ(used.size(), 3u);
  auto net = choose_subnet(used, 0);
  ASSERT_TRUE(net.has_value());
  EXPECT_EQ(ipv4_to_string(*net), "10.201.2.0");  // .0.x held by the local /32, .1.0/24 taken
  // A /8 covering all candidates leaves nothing.
  EXPECT_FALSE(choose_subnet(parse_route_prefixes("10.0.0.0/8 dev x\n"), 5).has_value());
}

TEST(Shell, QuotesWhatTheShellWouldSplit) {
  EXPECT_EQ(shell_quote("etcd"), "etcd");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(StateFile, ParsesRecordsAndNamesBadLines) {
  auto ok = parse_state("netns squall-ab-n1\nlink sqabh0\n\ndir /tmp/squall-cluster-ab\n", "x.state");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[1].kind, "link");
  auto bad = parse_state("netns a\nrm -rf /\n", "x.state");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "x.state:2: expected '<netns|link|dir> <name>'");
}

TEST(StateFile, RemovesOnlySquallTempDirs) {
  CleanupReport rep = remove_recorded({{"dir", "/etc"}, {"dir", "/tmp/squall-cluster-x/../../etc"}});
  EXPECT_TRUE(rep.removed.empty());
  EXPECT_EQ(rep.failed.size(), 2u);
}

TEST(Nemesis, ParsesListsAndCombined) {
  auto one = parse_nemesis_list("kill-random-node,partition-bridge");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 2u);
  auto all = parse_nemesis_list("combined");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), nemesis_names().size());
  EXPECT_TRUE(parse_nemesis_list("none")->empty());
  auto bad = parse_nemesis_list("partition,kill");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("unknown nemesis 'partition'"), std::string::npos);
}

TEST(Nemesis, NftScriptReplacesOnlySquallsTable) {
  std::string s = nft_drop_script({"10.200.0.11", "10.200.0.12"});
  EXPECT_EQ(s.rfind("add table inet squall\ndelete table inet squall\n", 0), 0u);
  EXPECT_NE(s.find("ip saddr { 10.200.0.11, 10.200.0.12 } drop"), std::string::npos);
  EXPECT_EQ(nft_heal_script().find("flush ruleset"), std::string::npos);
}

// ---- workload pieces ----------------------------------------------------------------

workload::Op op(workload::OpType type, int64_t process, const std::string& f, const std::string& value,
                int64_t time_s_x1000) {
  workload::Op o;
  o.type = type;
  o.process = process;
  o.f = f;
  o.value = value;
  o.time_ns = time_s_x1000 * 1'000'000;
  o.node = process < 0 ? "" : "n1";
  return o;
}

constexpr auto kInv = workload::OpType::kInvoke;
constexpr auto kOk = workload::OpType::kOk;
constexpr auto kInfo = workload::OpType::kInfo;

TEST(LockHolds, FromAcquireCompletionToReleaseInvocationMatchedByKey) {
  workload::History h = {
      op(kInv, 0, "acquire", R"("squall/lock")", 0),
      op(kOk, 0, "acquire", R"({"key":"L/a","rev":5})", 100),
      op(kInv, 1, "acquire", R"("squall/lock")", 150),
      op(kInv, 0, "add", "1", 200),
      op(kInfo, 0, "add", "1", 5000),  // the process changes after :info
      op(kOk, 1, "acquire", R"({"key":"L/b","rev":9})", 3000),
      op(kInv, 6, "release", R"({"key":"L/a","rev":5})", 5001),
      op(kInv, 1, "release", R"({"key":"L/b","rev":9})", 3100),
  };
  auto holds = lock_holds(h);
  ASSERT_EQ(holds.size(), 2u);
  EXPECT_EQ(holds[0].key, "L/a");
  EXPECT_EQ(holds[0].rev, 5);
  EXPECT_EQ(holds[0].start_ns, 100'000'000);
  EXPECT_EQ(holds[0].end_ns, 5001'000'000);
  EXPECT_TRUE(holds[0].released);
  EXPECT_EQ(holds[1].end_ns, 3100'000'000);
  auto overlaps = overlapping_holds(holds);
  ASSERT_EQ(overlaps.size(), 1u);
  EXPECT_EQ(overlaps[0], std::make_pair(size_t{0}, size_t{1}));
  EXPECT_NE(describe_hold(holds[0]).find("p0 on n1 held L/a (create revision 5) from 0.100 s to 5.001 s"),
            std::string::npos);
}

TEST(LockHolds, BackToBackHoldsDoNotOverlapAndAnUnreleasedHoldRunsToTheEnd) {
  workload::History h = {
      op(kOk, 0, "acquire", R"({"key":"L/a","rev":1})", 0),  op(kInv, 0, "release", R"({"key":"L/a","rev":1})", 10),
      op(kOk, 1, "acquire", R"({"key":"L/b","rev":2})", 10), op(kInv, 1, "release", R"({"key":"L/b","rev":2})", 20),
      op(kOk, 2, "acquire", R"({"key":"L/c","rev":3})", 30), op(kInv, 9, "read", "null", 90),
  };
  auto holds = lock_holds(h);
  ASSERT_EQ(holds.size(), 3u);
  EXPECT_FALSE(holds[2].released);
  EXPECT_EQ(holds[2].end_ns, 90'000'000);
  EXPECT_TRUE(overlapping_holds(holds).empty());
}

TEST(IntSet, RoundTripsAndRejectsGarbageNamingTheElement) {
  EXPECT_EQ(encode_int_set({3, -1, 7}), "3,-1,7");
  EXPECT_EQ(*decode_int_set("3,-1,7"), (std::vector<int64_t>{3, -1, 7}));
  EXPECT_TRUE(decode_int_set("")->empty());
  auto bad = decode_int_set("1,2x,3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("element 2 is '2x'"), std::string::npos) << bad.error();
  EXPECT_FALSE(decode_int_set("1,,2").ok());
}

TEST(ClusterReport, FailingOpsInterleaveWithNearbyNemesisEventsAndMarkTheViolation) {
  workload::History h = {
      op(kInfo, workload::kNemesisProcess, "pause", R"({"node":"n2"})", 1000),
      op(kInv, 0, "add", "7", 20000),
      op(kInfo, workload::kNemesisProcess, "pause", R"({"node":"n1"})", 25000),
      op(kOk, 0, "add", "7", 26000),
      op(kInfo, workload::kNemesisProcess, "resume", R"(["n1"])", 27000),
      op(kInfo, workload::kNemesisProcess, "kill", R"({"node":"n3"})", 40000),
  };
  auto lines = interleaved_ops(h, {1, 3}, 3, "acknowledged, then lost");
  ASSERT_EQ(lines.size(), 4u);  // the pause at 1 s and the kill at 40 s are too far away
  EXPECT_EQ(lines[0], "t=20.000s p0 :invoke :add 7 (n1)");
  EXPECT_EQ(lines[1], R"(t=25.000s NEMESIS :info :pause {"node":"n1"})");
  EXPECT_EQ(lines[2], "t=26.000s p0 :ok :add 7 (n1) ← VIOLATION: acknowledged, then lost");
  EXPECT_EQ(lines[3], R"(t=27.000s NEMESIS :info :resume ["n1"])");
}

TEST(ClusterVisuals, EveryKindOfFaultIsShadedUntilItsStopOrTheFinalHeal) {
  workload::History h = {
      op(kInfo, workload::kNemesisProcess, "pause", R"({"node":"n2"})", 1000),
      op(kInfo, workload::kNemesisProcess, "resume", R"(["n2"])", 2000),
      op(kInfo, workload::kNemesisProcess, "start-partition", "{}", 3000),
      op(kInv, 0, "read", "null", 3500),
      op(kOk, 0, "read", "[]", 3600),
      op(kInfo, workload::kNemesisProcess, "heal-all", "{}", 5000),
  };
  viz::Ops ops = cluster_ops(h, 6'000'000'000);
  ASSERT_EQ(ops.nemesis.size(), 2u);
  EXPECT_EQ(ops.nemesis[0].start_ns, 1'000'000'000);
  EXPECT_EQ(ops.nemesis[0].end_ns, 2'000'000'000);
  EXPECT_EQ(ops.nemesis[1].end_ns, 5'000'000'000);
  ASSERT_EQ(ops.spans.size(), 1u);
  EXPECT_EQ(ops.spans[0].outcome, viz::Outcome::kOk);
}

TEST(EtcdWorkloads, OptionsAreCheckedByName) {
  EtcdWorkloadOptions o;
  o.name = "queue";
  EXPECT_NE(make_etcd_workload(o).error().find("unknown workload 'queue'"), std::string::npos);
  o.name = "set";
  o.stale_reads = true;
  EXPECT_FALSE(make_etcd_workload(o).ok());
  o.stale_reads = false;
  o.concurrency = 0;
  EXPECT_FALSE(make_etcd_workload(o).ok());
  for (const auto& n : etcd_workload_names()) {
    EtcdWorkloadOptions ok;
    ok.name = n;
    auto w = make_etcd_workload(ok);
    ASSERT_TRUE(w.ok()) << n;
    EXPECT_EQ((*w)->name(), n);
  }
}

}  // namespace
}  // namespace squall::cluster
