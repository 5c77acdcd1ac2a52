#include "harness/topology.h"

#include <gtest/gtest.h>

namespace squall::harness {
namespace {

TEST(Topology, Shapes) {
  auto line = make_topology("line", 4);
  EXPECT_EQ(line[0], (std::vector<int>{1}));
  EXPECT_EQ(line[1], (std::vector<int>{0, 2}));
  auto grid = make_topology("grid", 9);  // 3x3
  EXPECT_EQ(grid[4], (std::vector<int>{1, 3, 5, 7}));
  EXPECT_EQ(grid[0], (std::vector<int>{1, 3}));
  auto tree = make_topology("tree2", 7);
  EXPECT_EQ(tree[0], (std::vector<int>{1, 2}));
  EXPECT_EQ(tree[1], (std::vector<int>{0, 3, 4}));
  auto total = make_topology("total", 3);
  EXPECT_EQ(total[2], (std::vector<int>{0, 1}));
  EXPECT_FALSE(is_topology_name("star"));
}

TEST(Topology, TreeIsTree2AsInMaelstromsDocs) {
  ASSERT_TRUE(is_topology_name("tree"));
  EXPECT_EQ(make_topology("tree", 7), make_topology("tree2", 7));
  EXPECT_EQ(canonical_topology("tree"), "tree2");
  EXPECT_EQ(canonical_topology("grid"), "grid");
}

TEST(Topology, Json) {
  auto t = make_topology("line", 2);
  EXPECT_EQ(topology_json({"n0", "n1"}, t), R"({"n0":["n1"],"n1":["n0"]})");
}

}  // namespace
}  // namespace squall::harness
