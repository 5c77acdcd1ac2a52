#include "harness/nemesis.h"

#include <gtest/gtest.h>

#include <set>

namespace squall::harness {
namespace {

std::string fingerprint(const std::vector<NemesisEvent>& s) {
  std::string out;
  std::vector<std::string> names;
  for (int i = 0; i < 9; ++i) names.push_back("n" + std::to_string(i));
  for (const auto& e : s) out += std::to_string(e.at_ns) + " " + e.describe(names) + "\n";
  return out;
}

TEST(Nemesis, SameSeedSameSchedule) {
  auto a = partition_schedule(9, 1.0, 60'000'000'000, Rng(11).fork("nemesis"));
  auto b = partition_schedule(9, 1.0, 60'000'000'000, Rng(11).fork("nemesis"));
  auto c = partition_schedule(9, 1.0, 60'000'000'000, Rng(12).fork("nemesis"));
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_NE(fingerprint(a), fingerprint(c));
}

TEST(Nemesis, AlternatesWithGapsBoundedByTwiceTheInterval) {
  auto s = partition_schedule(5, 0.5, 30'000'000'000, Rng(3));
  int64_t prev = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].start, i % 2 == 0);
    EXPECT_LE(s[i].at_ns - prev, 1'000'000'000);
    EXPECT_GE(s[i].at_ns, prev);
    EXPECT_LT(s[i].at_ns, 30'000'000'000);
    prev = s[i].at_ns;
  }
  std::set<std::string> shapes;
  for (const auto& e : s)
    if (e.start) shapes.insert(e.shape);
  EXPECT_EQ(shapes.size(), 4u) << "all four shapes should appear in 30 s at 0.5 s interval";
}

TEST(Nemesis, ShapesCutTheRightLinks) {
  Rng rng(9);
  auto iso = make_partition("isolate", 5, rng);
  int isolated = 0;
  for (const auto& g : iso.grudge)
    if (g.size() == 4) ++isolated;
  EXPECT_EQ(isolated, 1);
  auto halves = make_partition("halves", 6, rng);
  for (const auto& g : halves.grudge) EXPECT_EQ(g.size(), 3u);
  auto minority = make_partition("minority", 7, rng);  // floor(6/3) = 2 split off
  int small_side = 0;
  for (const auto& g : minority.grudge)
    if (g.size() == 5) ++small_side;
  EXPECT_EQ(small_side, 2);
  auto ring = make_partition("majorities-ring", 5, rng);
  std::set<std::vector<int>> views;
  for (size_t d = 0; d < ring.grudge.size(); ++d) {
    EXPECT_EQ(ring.grudge[d].size(), 2u);  // hears 3 of 5 including itself
    for (int s : ring.grudge[d]) EXPECT_NE(static_cast<size_t>(s), d);
    views.insert(ring.grudge[d]);
  }
  EXPECT_EQ(views.size(), 5u) << "no two nodes see the same majority";
}

TEST(Nemesis, NothingForOneNode) { EXPECT_TRUE(partition_schedule(1, 1, 10'000'000'000, Rng(1)).empty()); }

}  // namespace
}  // namespace squall::harness
