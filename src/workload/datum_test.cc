#include "workload/datum.h"

#include <gtest/gtest.h>

namespace squall::workload {
namespace {

TEST(Datum, RendersEdnAndJson) {
  Datum m = Datum::map();
  m.set("valid?", Datum::verdict(Verdict::kUnknown));
  m.set("count", 3);
  Datum q = Datum::map();
  q.set(Datum(0), 1);
  q.set(Datum(0.5), 2);
  m.set("stable-latencies", std::move(q));
  Datum v = Datum::vector();
  v.push(Datum::json(R"({"a":[1,null,"x"]})"));
  v.push("s\"q");
  m.set("items", std::move(v));
  EXPECT_EQ(m.to_edn(), R"({:valid? :unknown, :count 3, :stable-latencies {0 1, 0.5 2}, :items [{"a" [1 nil "x"]} "s\"q"]})");
  EXPECT_EQ(m.to_json(), R"({"valid?":"unknown","count":3,"stable-latencies":{"0":1,"0.5":2},"items":[{"a":[1,null,"x"]},"s\"q"]})");
}

TEST(Datum, VerdictMergeIsFalseOverUnknownOverTrue) {
  EXPECT_EQ(merge(Verdict::kValid, Verdict::kUnknown), Verdict::kUnknown);
  EXPECT_EQ(merge(Verdict::kInvalid, Verdict::kUnknown), Verdict::kInvalid);
  EXPECT_EQ(merge(Verdict::kValid, Verdict::kValid), Verdict::kValid);
  Datum m = Datum::map();
  m.set("valid?", false);
  EXPECT_EQ(verdict_of(m), Verdict::kInvalid);
}

TEST(Datum, SetReplacesExistingKey) {
  Datum m = Datum::map();
  m.set("a", 1);
  m.set("a", 2);
  EXPECT_EQ(m.entries().size(), 1u);
  EXPECT_EQ(m.get("a")->as_int(), 2);
}

}  // namespace
}  // namespace squall::workload
