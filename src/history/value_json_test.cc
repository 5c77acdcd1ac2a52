#include "history/value_json.h"

#include <gtest/gtest.h>

#include <cmath>

#include "history/edn.h"

namespace squall::history {
namespace {

TEST(ValueJson, ResultMapsRenderInInsertionOrder) {
  Value m = Value::array_map();
  m.set("valid?", Value::keyword("unknown"));
  m.set("count", 3);
  Value q = Value::array_map();
  q.set(Value(0), 1);
  q.set(Value(0.5), 2);
  m.set("stable-latencies", std::move(q));
  Value v = Value::vector();
  v.push(parse_json_value(R"({"b":[1,null,"x"],"a":2.0})"));
  v.push("s\"q");
  m.set("items", std::move(v));
  EXPECT_EQ(
      to_edn(m),
      R"({:valid? :unknown, :count 3, :stable-latencies {0 1, 0.5 2}, :items [{"b" [1 nil "x"], "a" 2.0} "s\"q"]})");
  EXPECT_EQ(
      to_json(m),
      R"({"valid?":"unknown","count":3,"stable-latencies":{"0":1,"0.5":2},"items":[{"b":[1,null,"x"],"a":2},"s\"q"]})");
}

TEST(ValueJson, TextThatIsNotJsonStaysText) { EXPECT_EQ(parse_json_value("{oops"), Value::string("{oops")); }

TEST(ValueJson, IntegersBeyondSixtyFourBitsKeepTheirDigits) {
  Value big = parse_json_value("18446744073709551615");
  EXPECT_EQ(to_edn(big), "18446744073709551615");
  EXPECT_EQ(to_json(big), "18446744073709551615");
  EXPECT_EQ(to_json(Value::symbol("not-a-number")), "\"not-a-number\"");
}

TEST(ValueJson, NonFiniteDoublesAreNull) {
  EXPECT_EQ(to_json(Value::floating(std::nan(""))), "null");
  EXPECT_EQ(to_json(Value::floating(1.5)), "1.5");
}

TEST(ValueJson, ObjectsSortOrKeepOrderAndKeysMayBeKeywords) {
  rapidjson::Document d;
  d.Parse(R"({"z":1,"a":[[[1]]]})");
  FromJson sorted;
  EXPECT_EQ(to_edn(value_from_json(d, sorted)), R"({"a" [[[1]]], "z" 1})");
  FromJson kept;
  kept.keep_order = true;
  kept.keyword_keys = true;
  kept.depth_max = 2;
  EXPECT_EQ(to_edn(value_from_json(d, kept)), R"({:z 1, :a [["[1]"]]})");
}

}  // namespace
}  // namespace squall::history
