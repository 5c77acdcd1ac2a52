// Split coverage (S7) from the records' history: every Split shard's children, each as
// it was created, tile the Split shard's final range. The child's range as created,
// not as it ends: a child that was itself cut by split_residual and later split shrank
// after it was made, and judging its parent's split by the shrunken range reports a gap
// that never existed. Pure; runs sim::Checker's coverage check on one parent at a time.
#pragma once

#include <map>
#include <vector>

#include "coord/records.h"
#include "sim/checker.h"
#include "sim/stats.h"

namespace squall::worker_audit {

struct ShardVersions {
  coord::ShardRecord first;  // as created
  coord::ShardRecord last;   // as it is now
};

// The violations found; checks are counted into *stats.
std::vector<sim::Violation> check_split_tiling(const coord::RunRecord& run,
                                               const std::map<coord::ShardId, ShardVersions>& shards,
                                               const sim::SimConfig& cfg, sim::Stats* stats);

}  // namespace squall::worker_audit
