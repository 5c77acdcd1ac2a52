// FaultyStore: a RecordStore wrapper that injects backend faults at level 3 — commits
// refused before applying (Unavailable) and ambiguous commits (Indeterminate, applied or
// not with equal odds). The commits really applied are reported by the inner store to
// its observer (the invariant checker), which therefore sees the ground truth even when
// the caller cannot. Not thread-safe.
#pragma once

#include "coord/memory_store.h"
#include "core/rng.h"
#include "sim/config.h"
#include "sim/stats.h"

namespace squall::sim {

class FaultyStore final : public coord::RecordStore {
 public:
  FaultyStore(coord::MemoryStore* inner, Rng rng, const FaultPlan& plan, Stats* stats)
      : inner_(inner), rng_(rng), plan_(plan), stats_(stats) {}

  void set_faults(bool on) { faults_ = on; }

  coord::StoreStatus get_run(coord::RunId run, coord::RunRecord* out, coord::Revision* rev) override {
    return inner_->get_run(run, out, rev);
  }
  coord::StoreStatus get_shard(coord::RunId run, coord::ShardId s, coord::ShardRecord* out,
                               coord::Revision* rev) override {
    return inner_->get_shard(run, s, out, rev);
  }
  coord::StoreStatus scan_shards(coord::RunId run, coord::ShardVisitor* v) override {
    return inner_->scan_shards(run, v);
  }
  coord::StoreStatus get_run_if_changed(coord::RunId run, coord::Revision have, coord::RunRecord* out,
                                        coord::Revision* rev) override {
    return inner_->get_run_if_changed(run, have, out, rev);
  }
  coord::StoreStatus view_shard(coord::RunId run, coord::ShardId s, coord::ShardRecord* scratch,
                                const coord::ShardRecord** view, coord::Revision* rev) override {
    return inner_->view_shard(run, s, scratch, view, rev);
  }
  coord::StoreStatus first_claimable(coord::RunId run, int64_t now_ms, coord::ShardRecord* out,
                                     coord::Revision* rev) override {
    return inner_->first_claimable(run, now_ms, out, rev);
  }
  coord::StoreStatus commit(const coord::Txn& txn) override;
  coord::StoreStatus commit_consuming(coord::Txn* txn) override;

 private:
  template <typename Commit>
  coord::StoreStatus faulty(Commit commit);

  coord::MemoryStore* inner_;
  Rng rng_;
  FaultPlan plan_;
  Stats* stats_;
  bool faults_ = false;
};

}  // namespace squall::sim
