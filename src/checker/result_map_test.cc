#include "checker/result_map.h"

#include <gtest/gtest.h>

namespace squall::checker {
namespace {

using history::Value;

TEST(ResultMap, ReadsAndWritesTheValidEntry) {
  Value m = Value::array_map();
  EXPECT_EQ(verdict_of(m), Verdict::kValid);  // absent
  m.set("valid?", false);
  EXPECT_EQ(verdict_of(m), Verdict::kInvalid);
  for (Verdict v : {Verdict::kValid, Verdict::kUnknown, Verdict::kInvalid}) {
    m.set("valid?", verdict_value(v));
    EXPECT_EQ(verdict_of(m), v) << to_string(v);
  }
  EXPECT_EQ(verdict_value(Verdict::kUnknown), Value::keyword("unknown"));
}

}  // namespace
}  // namespace squall::checker
