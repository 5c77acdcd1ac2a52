// Split coverage from the records' history: a child cut by split_residual and then split
// itself must be judged, as its parent's child, by the range it was created with (the
// audit once used its final, shrunken range and reported a gap under node kills).
#include "worker_audit/split_tiling.h"
#include "coord/testing/records.h"

#include <gtest/gtest.h>

namespace squall::worker_audit {
namespace {

using coord::testing::shard_record;

coord::RunRecord run_record() {
  coord::RunRecord r;
  r.tenant = 1;
  r.run = 1;
  r.roots = std::vector<coord::KeyRange>{{"c00001000", "c00001500"}};
  return r;
}

// Root 3 [1000, 1500) split into A [1000, 1280) and C [1280, 1500); A then cut a
// residual R [1163, 1280) off its end and later split too, ending as [1000, 1163).
std::map<coord::ShardId, ShardVersions> residual_then_split(const char* a_created_end) {
  using S = coord::ShardStatus;
  constexpr coord::ShardId kRoot = 3, kA = 0xa1, kC = 0xc1, kR = 0xe1, kA1 = 0xa2, kA2 = 0xa3;
  std::map<coord::ShardId, ShardVersions> m;
  coord::ShardRecord root = shard_record(kRoot, "c00001000", "c00001500", S::Split);
  root.spawned = {{kA, coord::SpawnKind::Child}, {kC, coord::SpawnKind::Child}};
  m[kRoot] = {shard_record(kRoot, "c00001000", "c00001500", S::Active), root};
  coord::ShardRecord a = shard_record(kA, "c00001000", "c00001163", S::Split, kRoot);
  a.spawned = {{kR, coord::SpawnKind::Residual}, {kA1, coord::SpawnKind::Child}, {kA2, coord::SpawnKind::Child}};
  m[kA] = {shard_record(kA, "c00001000", a_created_end, S::Active, kRoot), a};
  m[kC] = {shard_record(kC, "c00001280", "c00001500", S::Active, kRoot),
           shard_record(kC, "c00001280", "c00001500", S::Done, kRoot)};
  m[kR] = {shard_record(kR, "c00001163", "c00001280", S::Active, kA),
           shard_record(kR, "c00001163", "c00001280", S::Done, kA)};
  m[kA1] = {shard_record(kA1, "c00001000", "c00001100", S::Active, kA),
            shard_record(kA1, "c00001000", "c00001100", S::Done, kA)};
  m[kA2] = {shard_record(kA2, "c00001100", "c00001163", S::Active, kA),
            shard_record(kA2, "c00001100", "c00001163", S::Done, kA)};
  return m;
}

TEST(SplitTiling, AChildShrunkByAResidualBeforeItSplitStillTilesItsParent) {
  sim::Stats stats;
  auto v = check_split_tiling(run_record(), residual_then_split("c00001280"), sim::SimConfig{}, &stats);
  EXPECT_TRUE(v.empty()) << v.front().detail;
  EXPECT_EQ(stats.checks[static_cast<size_t>(sim::Invariant::S7SplitCoverage)], 2u);  // the root and A
}

TEST(SplitTiling, ARealGapBetweenChildrenIsReported) {
  sim::Stats stats;
  // A created as [1000, 1163) already: nothing ever covered [1163, 1280) under the root.
  auto v = check_split_tiling(run_record(), residual_then_split("c00001163"), sim::SimConfig{}, &stats);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].invariant, sim::Invariant::S7SplitCoverage);
  EXPECT_NE(v[0].detail.find("children do not tile it: [c00001000, c00001163) [c00001280, c00001500)"),
            std::string::npos)
      << v[0].detail;
}

}  // namespace
}  // namespace squall::worker_audit
