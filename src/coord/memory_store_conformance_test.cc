// Runs the backend conformance suite against the in-memory store, twice: as it is, and
// seen only through the interface's four required calls, so that the default fast
// paths (view_shard, first_claimable, commit_consuming, get_run_if_changed) — what a
// backend implementing only the required calls gets — pass the same suite.
#include "coord/conformance.h"
#include "coord/memory_store.h"

namespace squall::coord::testing {
namespace {

class RequiredCallsOnly final : public RecordStore {
 public:
  StoreStatus get_run(RunId run, RunRecord* out, Revision* rev) override { return inner_.get_run(run, out, rev); }
  StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* rev) override {
    return inner_.get_shard(run, shard, out, rev);
  }
  StoreStatus scan_shards(RunId run, ShardVisitor* visitor) override { return inner_.scan_shards(run, visitor); }
  StoreStatus commit(const Txn& txn) override { return inner_.commit(txn); }

 private:
  MemoryStore inner_;
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Memory, CoordConformance,
                         ::testing::Values(StoreFactory{"memory", [] { return std::make_unique<MemoryStore>(); }},
                                           StoreFactory{"required_calls_only",
                                                        [] { return std::make_unique<RequiredCallsOnly>(); }}),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace squall::coord::testing
