#include "core/rng.h"

#include <gtest/gtest.h>

#include <vector>

namespace squall {
namespace {

TEST(Rng, Splitmix64KnownAnswer) {
  // First outputs of splitmix64 from state 0, as published with the algorithm.
  uint64_t state = 0;
  EXPECT_EQ(splitmix64(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(&state), 0x6e789e6aa1b965f4ULL);
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= (x != c.next());
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowStaysInBoundsAndCoversRange) {
  Rng r(1);
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 70000; ++i) {
    uint64_t v = r.below(7);
    ASSERT_LT(v, 7u);
    ++hits[v];
  }
  // Each bucket expects 10000; 5 sigma is about 450.
  for (int h : hits) EXPECT_NEAR(h, 10000, 500);
}

TEST(Rng, RangeInclusive) {
  Rng r(9);
  bool lo = false, hi = false;
  for (int i = 0; i < 1000; ++i) {
    int64_t v = r.range(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    lo |= v == -2;
    hi |= v == 2;
  }
  EXPECT_TRUE(lo && hi);
}

TEST(Rng, ChanceExtremesAndRate) {
  Rng r(5);
  int yes = 0;
  for (int i = 0; i < 10000; ++i) {
    EXPECT_FALSE(r.chance(0, 10));
    EXPECT_TRUE(r.chance(10, 10));
    yes += r.chance(1, 4);
  }
  EXPECT_NEAR(yes, 2500, 250);
}

TEST(Rng, ForkIsStableAndIndependentOfDraws) {
  Rng a(7), b(7);
  for (int i = 0; i < 10; ++i) b.next();
  EXPECT_EQ(a.fork("net").next(), b.fork("net").next());
  EXPECT_NE(a.fork("net").next(), a.fork("nemesis").next());
}

TEST(Rng, UnitAndExponential) {
  Rng r(3);
  double sum = 0;
  for (int i = 0; i < 20000; ++i) {
    double u = r.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += r.exponential(10.0);
  }
  EXPECT_NEAR(sum / 20000, 10.0, 0.5);
}

}  // namespace
}  // namespace squall
