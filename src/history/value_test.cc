#include "history/value.h"

#include <gtest/gtest.h>

namespace squall::history {
namespace {

TEST(Value, SetsAreSortedAndDeduplicated) {
  Value a = Value::set({Value::integer(3), Value::integer(1), Value::integer(3)});
  Value b = Value::set({Value::integer(1), Value::integer(3)});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.hash(), b.hash());
}

TEST(Value, MapsCompareRegardlessOfOrder) {
  Value a = Value::map({{Value::keyword("a"), Value::integer(1)}, {Value::keyword("b"), Value::integer(2)}});
  Value b = Value::map({{Value::keyword("b"), Value::integer(2)}, {Value::keyword("a"), Value::integer(1)}});
  EXPECT_EQ(a, b);
  ASSERT_NE(a.get("b"), nullptr);
  EXPECT_EQ(a.get("b")->as_int(), 2);
  EXPECT_EQ(a.get("c"), nullptr);
}

TEST(Value, ListsEqualVectorsButKindsDiffer) {
  EXPECT_EQ(Value::list({Value::integer(1)}), Value::vector({Value::integer(1)}));
  EXPECT_NE(Value::string("a"), Value::keyword("a"));
  EXPECT_NE(Value::nil(), Value::boolean(false));
  EXPECT_LT(Value::integer(1), Value::integer(2));
}

TEST(Value, ArrayMapsKeepOrderButCompareAsMaps) {
  Value a = Value::array_map();
  a.set("b", 2);
  a.set("a", 1);
  a.set("b", 3);  // replaced where it stands
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.items()[0], Value::keyword("b"));
  EXPECT_EQ(a.get("b")->as_int(), 3);
  Value b = Value::map({{Value::keyword("a"), Value::integer(1)}, {Value::keyword("b"), Value::integer(3)}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  b.set("c", 0);  // a sorted map stays sorted
  EXPECT_EQ(b.items()[4], Value::keyword("c"));
  EXPECT_NE(a, b);
}

TEST(Value, EntriesAndPush) {
  Value v = Value::vector();
  v.push(1);
  Value m = Value::array_map();
  m.set("v", v);
  m.set("s", "text");
  std::string keys;
  for (const auto& [k, val] : m.entries()) keys += k.as_string() + (val.is_string() ? "!" : "");
  EXPECT_EQ(keys, "vs!");
  EXPECT_EQ(m.get("v")->items().size(), 1u);
}

}  // namespace
}  // namespace squall::history
