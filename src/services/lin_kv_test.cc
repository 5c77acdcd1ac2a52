#include "services/lin_kv.h"

#include <gtest/gtest.h>

#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::call;
using testing::code_of;
using testing::type_of;

TEST(LinKv, ReadOfMissingKeyIsError20WithInReplyTo) {
  LinKv kv;
  auto r = call(kv, "n0", R"({"type":"read","msg_id":7,"key":"x"})");
  EXPECT_EQ(type_of(r), "error");
  EXPECT_EQ(code_of(r), 20);
  EXPECT_EQ(r["in_reply_to"].GetInt(), 7);
  EXPECT_TRUE(r["text"].IsString());
}

TEST(LinKv, WriteThenReadReturnsTheValue) {
  LinKv kv;
  auto w = call(kv, "n0", R"({"type":"write","msg_id":1,"key":"x","value":{"a":[1,2]}})");
  EXPECT_EQ(type_of(w), "write_ok");
  EXPECT_EQ(w["in_reply_to"].GetInt(), 1);
  EXPECT_EQ(w.MemberCount(), 2u) << "write_ok carries only type and in_reply_to";
  auto r = call(kv, "n1", R"({"type":"read","msg_id":2,"key":"x"})");
  ASSERT_EQ(type_of(r), "read_ok");
  EXPECT_EQ(r["value"]["a"][1].GetInt(), 2);
  EXPECT_EQ(r.MemberCount(), 3u);
}

TEST(LinKv, KeysAreComparedStructurally) {
  LinKv kv;
  call(kv, "n0", R"({"type":"write","msg_id":1,"key":{"p":1,"q":2},"value":5})");
  auto r = call(kv, "n0", R"({"type":"read","msg_id":2,"key":{"q":2,"p":1}})");
  ASSERT_EQ(type_of(r), "read_ok");
  EXPECT_EQ(r["value"].GetInt(), 5);
  auto other = call(kv, "n0", R"({"type":"read","msg_id":3,"key":"{\"p\":1,\"q\":2}"})");
  EXPECT_EQ(code_of(other), 20) << "a string key is not the object key";
}

TEST(LinKv, CasSucceedsOnlyFromTheCurrentValue) {
  LinKv kv;
  call(kv, "n0", R"({"type":"write","msg_id":1,"key":1,"value":[1]})");
  auto bad = call(kv, "n0", R"({"type":"cas","msg_id":2,"key":1,"from":[2],"to":[3]})");
  EXPECT_EQ(code_of(bad), 22);
  EXPECT_EQ(bad["in_reply_to"].GetInt(), 2);
  auto good = call(kv, "n0", R"({"type":"cas","msg_id":3,"key":1,"from":[1],"to":[3]})");
  EXPECT_EQ(type_of(good), "cas_ok");
  auto r = call(kv, "n0", R"({"type":"read","msg_id":4,"key":1})");
  EXPECT_EQ(r["value"][0].GetInt(), 3);
}

TEST(LinKv, CasOnMissingKeyNeedsCreateIfNotExists) {
  LinKv kv;
  auto missing = call(kv, "n0", R"({"type":"cas","msg_id":1,"key":"k","from":0,"to":1})");
  EXPECT_EQ(code_of(missing), 20);
  auto still = call(kv, "n0", R"({"type":"read","msg_id":2,"key":"k"})");
  EXPECT_EQ(code_of(still), 20) << "a refused cas must not create the key";
  auto no = call(kv, "n0", R"({"type":"cas","msg_id":3,"key":"k","from":0,"to":1,"create_if_not_exists":false})");
  EXPECT_EQ(code_of(no), 20);
  auto created = call(kv, "n0", R"({"type":"cas","msg_id":4,"key":"k","from":0,"to":1,"create_if_not_exists":true})");
  EXPECT_EQ(type_of(created), "cas_ok");
  auto r = call(kv, "n0", R"({"type":"read","msg_id":5,"key":"k"})");
  EXPECT_EQ(r["value"].GetInt(), 1);
  // Once it exists, create_if_not_exists no longer bypasses the comparison.
  auto stale = call(kv, "n0", R"({"type":"cas","msg_id":6,"key":"k","from":0,"to":2,"create_if_not_exists":true})");
  EXPECT_EQ(code_of(stale), 22);
}

TEST(LinKv, UnknownTypeIsError10) {
  LinKv kv;
  auto r = call(kv, "n0", R"({"type":"ts","msg_id":9})");
  EXPECT_EQ(type_of(r), "error");
  EXPECT_EQ(code_of(r), 10);
  EXPECT_EQ(r["in_reply_to"].GetInt(), 9);
}

TEST(LinKv, MalformedRequestsAreError12) {
  LinKv kv;
  const char* bad[] = {
      R"({"type":"read","msg_id":1})",
      R"({"type":"write","msg_id":1,"key":"x"})",
      R"({"type":"write","msg_id":1,"value":1})",
      R"({"type":"cas","msg_id":1,"key":"x","to":1})",
      R"({"type":"cas","msg_id":1,"key":"x","from":1})",
      R"({"type":"cas","msg_id":1,"key":"x","from":1,"to":2,"create_if_not_exists":"yes"})",
      R"({"msg_id":1,"key":"x"})",
      R"({"type":5,"msg_id":1})",
  };
  for (const char* body : bad) {
    auto r = call(kv, "n0", body);
    EXPECT_EQ(code_of(r), 12) << body;
    EXPECT_EQ(r["in_reply_to"].GetInt(), 1) << body;
  }
  auto not_object = call(kv, "n0", "[1,2]");
  EXPECT_EQ(code_of(not_object), 12);
  auto bad_id = call(kv, "n0", R"({"type":"read","msg_id":"one","key":"x"})");
  EXPECT_EQ(code_of(bad_id), 12);
  EXPECT_FALSE(bad_id.HasMember("in_reply_to"));
}

TEST(LinKv, RequestWithoutMsgIdIsServedWithoutInReplyTo) {
  LinKv kv;
  auto w = call(kv, "n0", R"({"type":"write","key":"x","value":1})");
  EXPECT_EQ(type_of(w), "write_ok");
  EXPECT_FALSE(w.HasMember("in_reply_to"));
  auto r = call(kv, "n0", R"({"type":"read","msg_id":2,"key":"x"})");
  EXPECT_EQ(r["value"].GetInt(), 1);
}

}  // namespace
}  // namespace squall::services
