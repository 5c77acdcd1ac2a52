// One 3-member LocalCluster shared by every test of a test binary: started by the first
// test that asks for it, stopped by SharedClusterEnvironment at the end of the binary,
// which then fails the run if a member process or the data directory is left.
//
// A binary using it registers the environment once:
//   static auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SharedClusterEnvironment);
// Not thread-safe (GoogleTest runs tests serially).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "etcd/testing/local_cluster.h"

namespace squall::etcd::testing {

// The shared cluster, started on first use; nullptr with *error set when etcd is not
// installed or did not start.
LocalCluster* shared_cluster(std::string* error);

class SharedClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace squall::etcd::testing
