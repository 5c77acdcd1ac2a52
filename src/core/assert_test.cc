#include "core/assert.h"

#include <gtest/gtest.h>

namespace squall {
namespace {

TEST(Assert, PassingAssertionsDoNothing) {
  SQ_ASSERT(1 + 1 == 2);
  SQ_ASSERT_EQ(3, 3);
  SQ_ASSERT_LT(1, 2);
  SUCCEED();
}

TEST(AssertDeathTest, FailurePrintsOperandsAndLocation) {
  int a = 4, b = 5;
  EXPECT_DEATH(SQ_ASSERT_EQ(a, b), "assert_test.cc:[0-9]+: assertion failed: a == b \\(lhs = 4, rhs = 5\\)");
  EXPECT_DEATH(SQ_ASSERT(a > b), "assertion failed: a > b");
  EXPECT_DEATH(SQ_ASSERT_MSG(a > b, "shard " << 7), "\\(shard 7\\)");
}

}  // namespace
}  // namespace squall
