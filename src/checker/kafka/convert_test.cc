#include "checker/kafka/convert.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checker/kafka/checker.h"

namespace squall::checker::kafka {
namespace {

Event ok(std::string_view type, std::string_view f, std::string_view value, int64_t index = 0, int64_t process = 0) {
  auto op = op_from_json(type, f, value, process, index * 10, index);
  EXPECT_TRUE(op.ok()) << (op.ok() ? "" : op.error());
  return op.ok() ? op.value() : Event{};
}

TEST(KafkaConvert, ObjectForm) {
  Event s = ok("ok", "send", R"({"key":"3","msg":17,"offset":4})", 5, 2);
  EXPECT_EQ(s.type, OpType::kOk);
  EXPECT_EQ(s.f, OpF::kSend);
  EXPECT_EQ(s.key, "3");
  EXPECT_EQ(s.msg, 17);
  EXPECT_EQ(s.offset, 4);
  EXPECT_EQ(s.index, 5);
  EXPECT_EQ(s.process, 2);
  EXPECT_EQ(s.time_ns, 50);
  Event inv = ok("invoke", "send", R"({"key":1,"msg":17})");
  EXPECT_EQ(inv.key, "1");
  EXPECT_FALSE(inv.offset.has_value());

  Event p = ok("ok", "poll", R"({"msgs":{"a":[[0,1],[1,2]],"b":[]}})");
  ASSERT_EQ(p.polled.size(), 2u);
  ASSERT_EQ(p.polled["a"].size(), 2u);
  EXPECT_EQ(p.polled["a"][1].offset, 1);
  EXPECT_EQ(p.polled["a"][1].msg, 2);
  EXPECT_TRUE(ok("invoke", "poll", "null").polled.empty());

  EXPECT_EQ(ok("invoke", "commit_offsets", R"({"offsets":{"a":3}})").offsets.at("a"), 3);
  EXPECT_EQ(ok("ok", "list_committed_offsets", R"({"offsets":{"a":3}})").offsets.at("a"), 3);
  EXPECT_EQ(ok("invoke", "list_committed_offsets", R"({"keys":["a","b"]})").keys.size(), 2u);
  EXPECT_EQ(ok("ok", "assign", R"(["a",7])").keys, (std::vector<std::string>{"a", "7"}));
  EXPECT_EQ(ok("info", "crash", "null").f, OpF::kCrash);
}

TEST(KafkaConvert, MicroOpForm) {
  Event s = ok("ok", "send", R"([["send","0",[12,5]]])");
  EXPECT_EQ(s.key, "0");
  EXPECT_EQ(s.offset, 12);
  EXPECT_EQ(s.msg, 5);
  Event inv = ok("invoke", "send", R"([["send",0,5]])");
  EXPECT_EQ(inv.msg, 5);
  EXPECT_FALSE(inv.offset.has_value());
  Event p = ok("ok", "poll", R"([["poll",{"0":[[12,5],[13,6]]}]])");
  EXPECT_EQ(p.polled["0"].size(), 2u);
  EXPECT_TRUE(ok("invoke", "poll", R"([["poll"]])").polled.empty());
}

TEST(KafkaConvert, BadInputIsAnErrorNamingTheOp) {
  struct Case {
    const char* type;
    const char* f;
    const char* value;
    const char* expect;
  };
  const Case cases[] = {
      {"ok", "send", R"({"key":"a","msg":"x","offset":1})", "msg must be an integer"},
      {"ok", "send", R"({"key":"a","msg":1,"offset":1.5})", "offset must be an integer"},
      {"ok", "send", R"({"key":[],"msg":1})", "key must be"},
      {"ok", "send", R"({"msg":1})", "needs \"key\""},
      {"ok", "poll", R"({"msgs":{"a":[[1]]}})", "non-pair"},
      {"ok", "poll", R"({"msgs":[]})", "map of keys"},
      {"ok", "poll", R"([["poll",{}],["poll",{}]])", "single micro-op"},
      {"ok", "poll", "{", "not valid JSON"},
      {"done", "send", "null", "unknown op type"},
      {"ok", "write", "null", "not a kafka op"},
  };
  for (const Case& c : cases) {
    auto op = op_from_json(c.type, c.f, c.value, 0, 0, 41);
    ASSERT_FALSE(op.ok()) << c.value;
    EXPECT_NE(op.error().find(c.expect), std::string::npos) << op.error();
    EXPECT_EQ(op.error().rfind("op 41 (", 0), 0u) << op.error();
  }
  std::string deep(100000, '[');
  EXPECT_FALSE(op_from_json("ok", "poll", deep, 0, 0, 1).ok());
  deep += std::string(100000, ']');  // valid and very deep: refused, not recursed into
  EXPECT_FALSE(op_from_json("ok", "poll", deep, 0, 0, 1).ok());
  EXPECT_FALSE(op_from_json("ok", "send", deep, 0, 0, 1).ok());
}

TEST(KafkaConvert, ConvertedHistoryFeedsTheChecker) {
  std::vector<Event> h = {
      ok("invoke", "send", R"([["send","0",1]])", 0, 0),
      ok("ok", "send", R"([["send","0",[0,1]]])", 1, 0),
      ok("invoke", "send", R"([["send","0",2]])", 2, 1),
      ok("ok", "send", R"([["send","0",[0,2]]])", 3, 1),  // same offset: inconsistent
      ok("invoke", "poll", R"([["poll"]])", 4, 2),
      ok("ok", "poll", R"([["poll",{"0":[[0,1]]}]])", 5, 2),
  };
  auto r = check(h);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.inconsistent_offsets.count, 1);
}

}  // namespace
}  // namespace squall::checker::kafka
