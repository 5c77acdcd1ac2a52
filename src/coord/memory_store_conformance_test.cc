// Runs the backend conformance suite against the in-memory store, twice: as it is, and
// seen only through the interface's four required calls, so that the default fast
// paths (view_shard, first_claimable, commit_consuming, get_run_if_changed) — what a
// backend implementing only the required calls gets — pass the same suite.
#include "coord/memory_store.h"
#include "coord/testing/conformance.h"
#include "coord/testing/required_calls_store.h"

namespace squall::coord::testing {

INSTANTIATE_TEST_SUITE_P(Memory, CoordConformance,
                         ::testing::Values(StoreFactory{"memory", [] { return std::make_unique<MemoryStore>(); }},
                                           StoreFactory{"required_calls_only",
                                                        [] { return std::make_unique<RequiredCallsStore>(); }}),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace squall::coord::testing
