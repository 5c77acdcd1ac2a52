// Runs the backend conformance suite against the in-memory store.
#include "coord/conformance.h"
#include "coord/memory_store.h"

namespace squall::coord::testing {

INSTANTIATE_TEST_SUITE_P(Memory, CoordConformance,
                         ::testing::Values(StoreFactory{"memory", [] { return std::make_unique<MemoryStore>(); }}),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace squall::coord::testing
