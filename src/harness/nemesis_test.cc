#include "harness/nemesis.h"
#include "harness/process_nemesis.h"

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

// One-way: the first half hears nobody of the second half; the second half hears all.
TEST(Nemesis, OneWayPartitionBlocksOneDirectionOnly) {
  Rng rng(5);
  NemesisEvent e = make_partition("one-way", 6, rng);
  std::set<std::pair<int, int>> blocked;  // (src, dest)
  for (size_t d = 0; d < e.grudge.size(); ++d)
    for (int s : e.grudge[d]) blocked.insert({s, static_cast<int>(d)});
  EXPECT_EQ(blocked.size(), 9u);  // 3 deaf nodes x 3 unheard nodes
  for (const auto& [s, d] : blocked) EXPECT_EQ(blocked.count({d, s}), 0u) << s << " -> " << d;
}

// Without one-way the schedule of a seed is what it always was; with it, one-way shows.
TEST(Nemesis, OneWayJoinsTheDrawOnlyWhenAsked) {
  auto plain = partition_schedule(9, 1.0, 60'000'000'000, Rng(11).fork("nemesis"));
  auto again = partition_schedule(9, 1.0, 60'000'000'000, Rng(11).fork("nemesis"), false, true);
  EXPECT_EQ(fingerprint(plain), fingerprint(again));
  auto with = partition_schedule(9, 0.5, 60'000'000'000, Rng(11).fork("nemesis"), true, true);
  auto only = partition_schedule(9, 0.5, 60'000'000'000, Rng(11).fork("nemesis"), true, false);
  std::set<std::string> shapes, only_shapes;
  for (const auto& e : with)
    if (e.start) shapes.insert(e.shape);
  for (const auto& e : only)
    if (e.start) only_shapes.insert(e.shape);
  EXPECT_EQ(shapes.count("one-way"), 1u);
  EXPECT_EQ(only_shapes, std::set<std::string>{"one-way"});
}

// Kill and pause: faults of one kind never overlap, each ends by the end of the main
// phase, and the same seed gives the same schedule.
TEST(Nemesis, ProcessFaultsPairUpAndEndInTime) {
  for (const char* kind : {"kill", "pause"}) {
    auto s = process_fault_schedule(kind, 5, 0.5, 20'000'000'000, Rng(9));
    ASSERT_GE(s.size(), 10u);
    ASSERT_EQ(s.size() % 2, 0u);
    for (size_t i = 0; i < s.size(); i += 2) {
      bool kill = std::string(kind) == "kill";
      EXPECT_EQ(s[i].fault, kill ? ProcessFault::kKill : ProcessFault::kPause);
      EXPECT_EQ(s[i + 1].fault, kill ? ProcessFault::kRestart : ProcessFault::kResume);
      EXPECT_EQ(s[i].node, s[i + 1].node);
      EXPECT_LT(s[i].at_ns, s[i + 1].at_ns);
      EXPECT_LE(s[i + 1].at_ns, 20'000'000'000);
      if (i + 2 < s.size()) {
        EXPECT_GE(s[i + 2].at_ns, s[i + 1].at_ns);
      }
    }
    auto again = process_fault_schedule(kind, 5, 0.5, 20'000'000'000, Rng(9));
    ASSERT_EQ(again.size(), s.size());
    for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(again[i].at_ns, s[i].at_ns);
  }
  auto merged = merge_schedules({process_fault_schedule("kill", 5, 0.5, 20'000'000'000, Rng(1)),
                                 process_fault_schedule("pause", 5, 0.5, 20'000'000'000, Rng(2))});
  for (size_t i = 1; i < merged.size(); ++i) EXPECT_LE(merged[i - 1].at_ns, merged[i].at_ns);
}

}  // namespace
}  // namespace squall::harness
