// The backend conformance suite: the operational semantics of docs/coordination.md checked
// through Coordinator over any RecordStore.
//
// A backend's test binary links the squall_coord_testing object library and
// instantiates the suite with a factory that returns a fresh, empty store per test:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, CoordConformance,
//       ::testing::Values(StoreFactory{"memory", [] { return std::make_unique<MemoryStore>(); }}),
//       [](const auto& info) { return info.param.name; });
//
// Every test uses the same tenant/run ids; a durable backend's factory should hand out
// an isolated key prefix per call. Not thread-safe (GoogleTest runs tests serially).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "coord/coordinator.h"
#include "coord/store.h"

namespace squall::coord::testing {

struct StoreFactory {
  std::string name;  // a valid GoogleTest parameter name: letters, digits, underscores
  std::function<std::unique_ptr<RecordStore>()> make;
};

class CoordConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  static constexpr TenantId kTenant = 7;
  static constexpr RunId kRun = 100;
  static constexpr int64_t kLeaseMs = 1000;
  static constexpr int64_t kCooldownMs = 50;
  static constexpr ShardId kLow = 1;   // ["", "m")
  static constexpr ShardId kHigh = 2;  // ["m", "")

  void SetUp() override;

  // Creates the run and registers kLow and kHigh.
  void make_run();
  ShardRef ref(ShardId id) const { return ShardRef{kTenant, kRun, id}; }
  // Acquires `id` for `worker` at now_ms (asserting success) and returns the lease.
  LeaseToken acquire_ok(ShardId id, WorkerId worker, int64_t now_ms);
  ShardRecord read(ShardId id);
  RunRecord read_run();

  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<Coordinator> coord_;
};

}  // namespace squall::coord::testing
