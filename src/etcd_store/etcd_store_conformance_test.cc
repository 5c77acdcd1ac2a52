// The coordination backend conformance suite, unchanged, against EtcdStore on a live
// 3-member LocalCluster (each test gets a fresh key prefix). Without etcd installed the
// suite is not instantiated and EtcdAvailable says why it was skipped.
#include <atomic>

#include "coord/testing/conformance.h"
#include "etcd/testing/shared_cluster.h"
#include "etcd_store/etcd_store.h"

namespace squall::etcd_store {
namespace {

using etcd::testing::LocalCluster;
using etcd::testing::SharedClusterEnvironment;

auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedClusterEnvironment);

std::unique_ptr<coord::RecordStore> make_store() {
  static std::atomic<int> n{0};
  std::string error;
  LocalCluster* cluster = etcd::testing::shared_cluster(&error);
  SQ_ASSERT(cluster != nullptr);  // only instantiated when etcd is installed
  EtcdStoreOptions o;
  o.prefix = "/conformance/" + std::to_string(n++) + "/";
  o.client.endpoints = cluster->endpoints();
  return std::make_unique<EtcdStore>(o);
}

std::vector<coord::testing::StoreFactory> factories() {
  if (!LocalCluster::available()) return {};
  return {coord::testing::StoreFactory{"etcd", make_store}};
}

TEST(EtcdAvailable, ClusterStarts) {
  if (!LocalCluster::available())
    GTEST_SKIP() << etcd::testing::kEtcdBinary << " not installed; etcd conformance skipped";
  std::string error;
  ASSERT_NE(etcd::testing::shared_cluster(&error), nullptr) << error;
}

}  // namespace
}  // namespace squall::etcd_store

namespace squall::coord::testing {
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CoordConformance);
INSTANTIATE_TEST_SUITE_P(Etcd, CoordConformance, ::testing::ValuesIn(squall::etcd_store::factories()),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });
}  // namespace squall::coord::testing
