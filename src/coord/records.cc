#include "coord/records.h"

#include <algorithm>

namespace squall::coord {

const char* check_invariants(const ShardRecord& r) {
  if (r.fence < 1) return "S4: fence must be >= 1";
  if ((r.status == ShardStatus::Parked) != !r.park_reason.empty())
    return "S4: park_reason must be set iff the shard is Parked";
  if (is_terminal(r.status) && r.lease.has_value()) return "S4: a terminal shard must not hold a lease";
  if (r.status == ShardStatus::Split) {
    bool has_child =
        std::any_of(r.spawned.begin(), r.spawned.end(), [](const Spawned& s) { return s.kind == SpawnKind::Child; });
    if (!has_child) return "S4: a Split shard must have spawned children";
  }
  if (is_derived(r.id) != r.parent.has_value()) return "S4: parent must be set iff the shard id is derived";
  if (r.parent.has_value() && *r.parent == r.id) return "S4: a shard cannot be its own parent";
  if (r.op_log.size() > kOpLogCapacity) return "S4: op-log exceeds its bound";
  if (!r.op_log.unique_ids()) return "S4: op-log holds a duplicate op_id";
  if (!r.spec.well_formed()) return "S4: spec start must be below end";
  if (!r.cursor.last_key.empty() && !r.spec.contains(r.cursor.last_key)) return "S6: cursor outside the shard's range";
  if (r.cursor.last_key.size() > kKeyBytesMax || r.cursor.token.size() > kTokenBytesMax)
    return "S4: cursor exceeds its size limits";
  return nullptr;
}

const char* check_root_ranges(const std::vector<KeyRange>& roots) {
  if (roots.size() > kRootsPerRunMax) return "run: too many roots";
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!roots[i].well_formed()) return "run: malformed root range";
    if (i + 1 < roots.size()) {
      // Sorted and disjoint: this root ends at or before the next begins.
      if (roots[i].end.empty() || roots[i].end > roots[i + 1].start) return "run: overlapping roots";
    }
  }
  return nullptr;
}

const char* check_invariants(const RunRecord& r) {
  if (r.config.lease_duration_ms <= 0) return "run: lease duration must be positive";
  if (r.config.claim_cooldown_ms < 0) return "run: claim cooldown must be non-negative";
  // The roots are immutable and were checked when their list was built (SharedRanges).
  if (const char* v = r.roots.root_violation()) return v;
  if (r.shard_count > kShardsPerRunMax) return "run: shard count exceeds its bound";
  if (r.claims.size() > kClaimStampsMax) return "run: claim stamps exceed their bound";
  for (size_t i = 0; i + 1 < r.claims.size(); ++i) {
    if (r.claims[i].worker >= r.claims[i + 1].worker) return "run: claim stamps not sorted by worker";
  }
  if (!r.op_log.unique_ids()) return "run: op-log holds a duplicate op_id";
  return nullptr;
}

}  // namespace squall::coord
