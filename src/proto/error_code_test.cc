#include "proto/error_code.h"

#include <gtest/gtest.h>

namespace squall::proto {
namespace {

TEST(ErrorCode, DefiniteCodesAreExactlyTheSpecifiedOnes) {
  for (int code : {1, 10, 11, 12, 14, 20, 21, 22, 30}) EXPECT_TRUE(is_definite(code)) << code;
  for (int code : {0, 13, 2, 15, 31, 999, 1000, 1234, -1}) EXPECT_FALSE(is_definite(code)) << code;
}

TEST(ErrorCode, NamesFollowTheProtocol) {
  EXPECT_EQ(error_name(0), "timeout");
  EXPECT_EQ(error_name(code_of(ErrorCode::kNotSupported)), "not-supported");
  EXPECT_EQ(error_name(code_of(ErrorCode::kPreconditionFailed)), "precondition-failed");
  EXPECT_EQ(error_name(1001), "user-defined");
  EXPECT_EQ(error_name(42), "unknown");
}

}  // namespace
}  // namespace squall::proto
