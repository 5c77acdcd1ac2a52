// RequiredCallsStore: a MemoryStore seen only through the RecordStore interface's four
// required calls (get_run, get_shard, scan_shards, commit), so every optional fast path
// runs its default — what a backend implementing only the required calls (an etcd
// store, say) gets. For tests: the conformance suite runs against it, and tests that
// script backend failures override commit(). Not thread-safe.
#pragma once

#include "coord/memory_store.h"
#include "coord/store.h"

namespace squall::coord::testing {

class RequiredCallsStore : public RecordStore {
 public:
  StoreStatus get_run(RunId run, RunRecord* out, Revision* rev) override { return inner.get_run(run, out, rev); }
  StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* rev) override {
    return inner.get_shard(run, shard, out, rev);
  }
  StoreStatus scan_shards(RunId run, ShardVisitor* visitor) override { return inner.scan_shards(run, visitor); }
  StoreStatus commit(const Txn& txn) override { return inner.commit(txn); }

  MemoryStore inner;  // the records, readable directly by tests
};

}  // namespace squall::coord::testing
