#include "net/latency.h"

#include <gtest/gtest.h>

namespace squall::net {
namespace {

TEST(Latency, ParsesNames) {
  EXPECT_EQ(parse_latency_dist("uniform").value(), LatencyDist::kUniform);
  EXPECT_FALSE(parse_latency_dist("gaussian").ok());
}

TEST(Latency, DistributionsHaveTheRightShape) {
  Rng rng(7);
  EXPECT_EQ(sample_latency_ns(LatencyDist::kConstant, 100, rng), 100'000'000);
  EXPECT_EQ(sample_latency_ns(LatencyDist::kExponential, 0, rng), 0);
  double sum_u = 0, sum_e = 0;
  int64_t max_u = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    int64_t u = sample_latency_ns(LatencyDist::kUniform, 10, rng);
    ASSERT_GE(u, 0);
    ASSERT_LE(u, 20'000'000);
    max_u = std::max(max_u, u);
    sum_u += static_cast<double>(u);
    int64_t e = sample_latency_ns(LatencyDist::kExponential, 10, rng);
    ASSERT_GE(e, 0);
    ASSERT_LE(e, 500'000'000);
    sum_e += static_cast<double>(e);
  }
  EXPECT_NEAR(sum_u / n, 10e6, 0.3e6);
  EXPECT_NEAR(sum_e / n, 10e6, 0.5e6);
  EXPECT_GT(max_u, 19'000'000);
}

TEST(Latency, SameSeedSameSamples) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(sample_latency_ns(LatencyDist::kExponential, 5, a), sample_latency_ns(LatencyDist::kExponential, 5, b));
  }
}

}  // namespace
}  // namespace squall::net
