#include "core/verdict.h"

#include <gtest/gtest.h>

namespace squall {
namespace {

constexpr Verdict kAll[] = {Verdict::kValid, Verdict::kInvalid, Verdict::kUnknown};

TEST(Verdict, MergeIsInvalidOverUnknownOverValid) {
  EXPECT_EQ(merge(Verdict::kValid, Verdict::kUnknown), Verdict::kUnknown);
  EXPECT_EQ(merge(Verdict::kInvalid, Verdict::kUnknown), Verdict::kInvalid);
  EXPECT_EQ(merge(Verdict::kUnknown, Verdict::kInvalid), Verdict::kInvalid);
  EXPECT_EQ(merge(Verdict::kValid, Verdict::kValid), Verdict::kValid);
  for (Verdict a : kAll) {
    EXPECT_EQ(merge(a, Verdict::kValid), a) << to_string(a);  // valid is the identity
    for (Verdict b : kAll) EXPECT_EQ(merge(a, b), merge(b, a)) << to_string(a) << " " << to_string(b);
  }
}

TEST(Verdict, NamesAreTheDesignWords) {
  EXPECT_EQ(to_string(Verdict::kValid), "valid");
  EXPECT_EQ(to_string(Verdict::kInvalid), "invalid");
  EXPECT_EQ(to_string(Verdict::kUnknown), "unknown");
}

}  // namespace
}  // namespace squall
