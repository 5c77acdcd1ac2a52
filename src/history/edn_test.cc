#include "history/edn.h"

#include <gtest/gtest.h>

namespace squall::history {
namespace {

Value parse_ok(std::string_view text) {
  auto v = parse_edn(text);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error());
  return v.ok() ? *v : Value();
}

TEST(Edn, ReadsScalars) {
  EXPECT_TRUE(parse_ok("nil").is_nil());
  EXPECT_EQ(parse_ok("-42").as_int(), -42);
  EXPECT_EQ(parse_ok("42N").as_int(), 42);
  EXPECT_DOUBLE_EQ(parse_ok("1.5e3").as_double(), 1500.0);
  EXPECT_EQ(parse_ok(":timed-out"), Value::keyword("timed-out"));
  EXPECT_EQ(parse_ok("\"a\\\"b\\n\\u00e9\"").as_string(), "a\"b\n\xc3\xa9");
  EXPECT_EQ(parse_ok("\\a"), Value::string("a"));
  EXPECT_EQ(parse_ok("true"), Value::boolean(true));
  EXPECT_EQ(parse_ok("foo/bar"), Value::symbol("foo/bar"));
}

TEST(Edn, ReadsCollectionsCommentsAndDiscards) {
  Value v = parse_ok("{:a [1 2 (3)], :b #{:x :y} ; comment\n #_ ignored :c #inst \"2020\"}");
  ASSERT_TRUE(v.is_map());
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(v.get("a")->items().size(), 3u);
  EXPECT_TRUE(v.get("b")->is_set());
  EXPECT_EQ(v.get("c")->kind(), Value::Kind::kTagged);
}

TEST(Edn, RoundTrips) {
  const char* texts[] = {"{:f :cas, :value [1 2], :process 3}", "#{1 \"x\" :k nil}", "[1.5 -2 \"q\\\"\" (a b)]",
                         "#inst \"2020-01-01\""};
  for (const char* t : texts) {
    Value v = parse_ok(t);
    auto again = parse_edn(to_edn(v));
    ASSERT_TRUE(again.ok()) << to_edn(v);
    EXPECT_EQ(*again, v) << to_edn(v);
  }
}

TEST(Edn, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"[1 2", "<string>:1: expected ']' to close the collection opened on line 1, found end of input"},
      {"\n\n{:a}", "<string>:3: expected a map with an even number of forms, found 1"},
      {"\"abc", "<string>:1: expected '\"' to close the string, found end of input"},
      {"1 2", "<string>:1: expected end of input after one value, found '2'"},
      {"99999999999999999999", "<string>:1: integer '99999999999999999999' does not fit in 64 bits"},
      {")", "<string>:1: expected a value, found unmatched ')'"},
      {"#?", "<string>:1: expected '{', '_' or a tag after '#', found '?'"},
  };
  for (const auto& c : cases) {
    auto v = parse_edn(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.error(), c.expected);
  }
}

TEST(Edn, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto v = parse_edn(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("nesting deeper"), std::string::npos);
}

}  // namespace
}  // namespace squall::history
