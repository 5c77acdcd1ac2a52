#include "proto/message.h"

#include <gtest/gtest.h>

#include "proto/json_util.h"

namespace squall::proto {
namespace {

TEST(Message, ParsesEnvelopeWithMaelstromId) {
  auto m = parse_message(R"({"id":7,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":3,"echo":"hi"}})");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->src(), "c1");
  EXPECT_EQ(m->dest(), "n0");
  EXPECT_EQ(m->type(), "echo");
  EXPECT_EQ(m->msg_id(), 3);
  EXPECT_EQ(m->id(), 7);
  EXPECT_FALSE(m->in_reply_to().has_value());
  EXPECT_EQ(get_string(m->body(), "echo"), "hi");
}

TEST(Message, SurvivesMove) {
  auto m = parse_message(R"({"src":"n1","dest":"n0","body":{"type":"x","in_reply_to":9}})");
  ASSERT_TRUE(m.ok());
  Message moved = std::move(m).value();
  EXPECT_EQ(moved.src(), "n1");
  EXPECT_EQ(moved.in_reply_to(), 9);
}

TEST(Message, BodyWithoutTypeStillParses) {
  auto m = parse_message(R"({"src":"c1","dest":"n0","body":{"msg_id":4}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type(), "");
  EXPECT_EQ(m->msg_id(), 4);
}

TEST(Message, RejectsMalformedEnvelopes) {
  const char* bad[] = {
      "",
      "not json",
      "{\"src\":\"c1\"",
      "[1,2,3]",
      R"({"dest":"n0","body":{"type":"echo"}})",
      R"({"src":1,"dest":"n0","body":{"type":"echo"}})",
      R"({"src":"c1","dest":"n0"})",
      R"({"src":"c1","dest":"n0","body":"echo"})",
      R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":"1"}})",
      R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1.5}})",
      R"({"id":"x","src":"c1","dest":"n0","body":{"type":"echo"}})",
      R"({"src":"c1","dest":"n0","body":{"type":"echo"}} trailing)",
  };
  for (const char* line : bad) {
    auto m = parse_message(line);
    EXPECT_FALSE(m.ok()) << line;
    if (!m.ok()) {
      EXPECT_FALSE(m.error().empty());
    }
  }
}

TEST(Message, RejectsHostileNestingButNotBracketsInStrings) {
  std::string deep = R"({"src":"c1","dest":"n0","body":{"type":"echo","echo":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}}";
  auto m = parse_message(deep);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().find("nested"), std::string::npos);
  std::string ok = R"({"src":"c1","dest":"n0","body":{"type":"echo","echo":")" + std::string(1000, '[') + R"(\"["}})";
  auto parsed = parse_message(ok);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  std::string limit = R"({"src":"c1","dest":"n0","body":{"type":"echo","echo":)" + std::string(kMaxNestingDepth - 2, '[') +
                      std::string(kMaxNestingDepth - 2, ']') + "}}";
  EXPECT_TRUE(parse_message(limit).ok());
}

TEST(Message, EnvelopeEscapesIds) {
  std::string out;
  append_envelope(out, "n0", "c\"1", R"({"type":"x"})");
  EXPECT_EQ(out, "{\"src\":\"n0\",\"dest\":\"c\\\"1\",\"body\":{\"type\":\"x\"}}\n");
  auto back = parse_message(std::string_view(out).substr(0, out.size() - 1));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->dest(), "c\"1");
}

TEST(JsonUtil, EscapesControlCharacters) {
  EXPECT_EQ(json_string(std::string("a\n\\\x01", 4)), "\"a\\u000a\\\\\\u0001\"");
}

}  // namespace
}  // namespace squall::proto
