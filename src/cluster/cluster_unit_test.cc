// Root-free tests of src/cluster: partition shapes, subnet choice, shell quoting, the
// state file's format and the nemesis list.
#include <gtest/gtest.h>

#include <algorithm>

#include "cluster/grudge.h"
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

}  // namespace
}  // namespace squall::cluster
