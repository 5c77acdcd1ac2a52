#include "worker_audit/split_tiling.h"

#include "coord/memory_store.h"

namespace squall::worker_audit {

std::vector<sim::Violation> check_split_tiling(const coord::RunRecord& run,
                                               const std::map<coord::ShardId, ShardVersions>& shards,
                                               const sim::SimConfig& cfg, sim::Stats* stats) {
  std::vector<sim::Violation> out;
  for (const auto& [id, v] : shards) {
    if (v.last.status != coord::ShardStatus::Split) continue;
    // One store per Split parent: the parent as it split, its children as created.
    coord::Txn t;
    t.guards.push_back(coord::Guard{run.run, true, 0, 0});
    t.run_puts.push_back(run);
    t.guards.push_back(coord::Guard{run.run, false, id, 0});
    t.shard_puts.push_back(v.last);
    for (const auto& s : v.last.spawned) {
      if (s.kind != coord::SpawnKind::Child || s.id == id) continue;
      auto child = shards.find(s.id);
      if (child == shards.end()) continue;  // reported by the check as a missing child
      t.guards.push_back(coord::Guard{run.run, false, s.id, 0});
      t.shard_puts.push_back(child->second.first);
    }
    coord::MemoryStore store;
    SQ_ASSERT(store.commit(t) == coord::StoreStatus::Ok);
    sim::Checker checker(cfg, nullptr, nullptr, &store, run.run, stats);
    checker.check_splits({id});
    for (const auto& violation : checker.violations()) out.push_back(violation);
  }
  return out;
}

}  // namespace squall::worker_audit
