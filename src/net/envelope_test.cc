#include "net/envelope.h"

#include <gtest/gtest.h>

namespace squall::net {
namespace {

TEST(Envelope, ParsesSrcDestAndRawBody) {
  std::string line = R"({"src":"n1","dest":"c3","body":{"type":"echo_ok","in_reply_to":4, "echo":"a\"b"}})";
  auto env = parse_envelope(line);
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->src, "n1");
  EXPECT_EQ(env->dest, "c3");
  EXPECT_EQ(env->body, R"({"type":"echo_ok","in_reply_to":4, "echo":"a\"b"})");
  EXPECT_FALSE(env->has_id);
}

TEST(Envelope, ToleratesIdAndWhitespace) {
  auto env = parse_envelope(R"(  { "id" : 17 , "dest":"n2", "src":"n1", "body":{} } )");
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_TRUE(env->has_id);
  EXPECT_EQ(env->dest, "n2");
}

TEST(Envelope, RejectsGarbageWithReason) {
  auto not_json = parse_envelope("hello world");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().find("not JSON"), std::string::npos);

  auto truncated = parse_envelope(R"({"src":"n1","dest":"n2","body":{"type":"x")");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().find("not JSON"), std::string::npos);

  auto extra = parse_envelope(R"({"src":"n1","dest":"n2","body":{},"foo":1})");
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().find("unknown top-level key \"foo\""), std::string::npos);

  auto missing = parse_envelope(R"({"src":"n1","body":{}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("missing \"dest\""), std::string::npos);

  EXPECT_FALSE(parse_envelope(R"({"src":1,"dest":"n2","body":{}})").ok());
  EXPECT_FALSE(parse_envelope(R"({"src":"n1","dest":"n2","body":[]})").ok());
  EXPECT_FALSE(parse_envelope(R"({"src":"n1","dest":"n2","body":{}} x)").ok());
  EXPECT_FALSE(parse_envelope(R"({"src":"n1","dest":"n2","body":{"a":01}})").ok());
  EXPECT_FALSE(parse_envelope(R"({"src":"n1","dest":"n2","body":{"a":"\q"}})").ok());
}

TEST(Envelope, RejectsExcessiveNesting) {
  std::string deep = R"({"src":"n1","dest":"n2","body":{"a":)";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  deep += "}}";
  auto env = parse_envelope(deep);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().find("nesting"), std::string::npos);
}

TEST(Envelope, BodyHead) {
  auto head = parse_body_head(R"({"type":"read_ok","msg_id":5,"in_reply_to":-2,"messages":[1,{"x":"y"}]})");
  ASSERT_TRUE(head.ok()) << head.error();
  EXPECT_EQ(head->type, "read_ok");
  EXPECT_TRUE(head->has_msg_id);
  EXPECT_EQ(head->msg_id, 5);
  EXPECT_TRUE(head->has_in_reply_to);
  EXPECT_EQ(head->in_reply_to, -2);

  auto none = parse_body_head(R"({"type":"x","in_reply_to":"3"})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_in_reply_to);
  EXPECT_FALSE(none->has_msg_id);
}

TEST(Envelope, EncodeCopiesBodyBytes) {
  std::string body = R"({ "type" : "gossip", "v":[1, 2.50e3] })";
  std::string line = encode_envelope(9, "n0", "n4", body);
  EXPECT_EQ(line, R"({"id":9,"src":"n0","dest":"n4","body":{ "type" : "gossip", "v":[1, 2.50e3] }})");
  auto back = parse_envelope(line);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->body, body);
}

TEST(Envelope, ValidJson) {
  EXPECT_TRUE(is_valid_json(R"([1, "a", {"b": null}, true, -0.5e-3])"));
  EXPECT_FALSE(is_valid_json("[1,]"));
  EXPECT_FALSE(is_valid_json("{\"a\" 1}"));
  EXPECT_FALSE(is_valid_json(""));
}

}  // namespace
}  // namespace squall::net
