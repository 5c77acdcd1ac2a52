#include "core/result.h"

#include <gtest/gtest.h>

namespace squall {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return err(std::string("not a digit: ") + c);
  return c - '0';
}

TEST(Result, HoldsValueOrError) {
  auto good = parse_digit('7');
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  auto bad = parse_digit('x');
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "not a digit: x");
}

TEST(Result, VoidStatus) {
  Status fine;
  EXPECT_TRUE(fine.ok());
  Status broken = err("disk full");
  EXPECT_FALSE(broken.ok());
  EXPECT_EQ(broken.error(), "disk full");
}

TEST(ResultDeathTest, WrongSideAsserts) {
  auto bad = parse_digit('x');
  EXPECT_DEATH((void)bad.value(), "Result holds error: not a digit: x");
}

}  // namespace
}  // namespace squall
