// MemoryStore: the in-memory RecordStore — the executable specification's backend,
// used by the simulator and the unit tests.
//
// Revisions behave like etcd's: one global counter, bumped once per successful commit;
// every key written by that commit takes the new value. Shards are kept per run in id
// order so scans are ordered. Not thread-safe (the simulator is single-threaded; wrap it
// in a mutex to share it).
#pragma once

#include <map>

#include "coord/store.h"

namespace squall::coord {

class MemoryStore final : public RecordStore {
 public:
  StoreStatus get_run(RunId run, RunRecord* out, Revision* revision) override;
  StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* revision) override;
  StoreStatus scan_shards(RunId run, ShardVisitor* visitor) override;
  StoreStatus commit(const Txn& txn) override;
  // True when every guard of txn holds now (commit would apply).
  bool guards_hold(const Txn& txn) const;

  // Direct read access for checkers and tests (no copy); nullptr when absent.
  const RunRecord* peek_run(RunId run) const;
  const ShardRecord* peek_shard(RunId run, ShardId shard) const;
  Revision revision() const { return revision_; }
  size_t shard_count(RunId run) const;

 private:
  struct ShardSlot {
    ShardRecord record;
    Revision revision = 0;
  };
  struct RunSlot {
    RunRecord record;
    Revision revision = 0;  // 0 while only shards exist (cannot happen via Coordinator)
    std::map<ShardId, ShardSlot> shards;
  };
  Revision current(const Guard& g) const;

  std::map<RunId, RunSlot> runs_;
  Revision revision_ = 0;
};

}  // namespace squall::coord
