#include "etcd/testing/shared_cluster.h"

#include <filesystem>
#include <memory>

namespace squall::etcd::testing {
namespace {

std::unique_ptr<LocalCluster>& slot() {
  static std::unique_ptr<LocalCluster> cluster;
  return cluster;
}

}  // namespace

LocalCluster* shared_cluster(std::string* error) {
  if (slot() == nullptr) {
    static std::string start_error;  // a failed start is not retried by every test
    if (!start_error.empty()) {
      *error = start_error;
      return nullptr;
    }
    slot() = LocalCluster::start(LocalClusterOptions{}, &start_error);
    if (slot() == nullptr) {
      *error = start_error;
      return nullptr;
    }
  }
  return slot().get();
}

void SharedClusterEnvironment::TearDown() {
  if (slot() == nullptr) return;
  std::vector<pid_t> pids;
  for (int i = 0; i < slot()->size(); ++i) pids.push_back(slot()->pid(i));
  const std::string root = slot()->root();
  slot().reset();
  for (pid_t p : pids) EXPECT_TRUE(process_gone(p)) << "etcd member " << p << " left running";
  EXPECT_FALSE(std::filesystem::exists(root)) << root << " left behind";
}

}  // namespace squall::etcd::testing
