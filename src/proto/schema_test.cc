#include "proto/schema.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace squall::proto {
namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

TEST(Schema, EveryWorkloadOfTheSpecIsPresent) {
  for (auto [w, t] : std::initializer_list<std::pair<const char*, const char*>>{{"echo", "echo"},
                                                                                {"unique-ids", "generate"},
                                                                                {"broadcast", "topology"},
                                                                                {"broadcast", "broadcast"},
                                                                                {"broadcast", "read"},
                                                                                {"g-set", "add"},
                                                                                {"g-set", "read"},
                                                                                {"g-counter", "add"},
                                                                                {"pn-counter", "read"},
                                                                                {"lin-kv", "cas"},
                                                                                {"kafka", "send"},
                                                                                {"kafka", "poll"},
                                                                                {"kafka", "commit_offsets"},
                                                                                {"kafka", "list_committed_offsets"},
                                                                                {"txn-list-append", "txn"},
                                                                                {"service:lin-tso", "ts"},
                                                                                {"service:seq-kv", "cas"},
                                                                                {"broadcast", "init"}}) {
    EXPECT_NE(find_rpc(w, t), nullptr) << w << " " << t;
  }
  EXPECT_EQ(find_rpc("broadcast", "add"), nullptr);
}

TEST(Schema, NoDuplicateRows) {
  std::set<std::string> seen;
  for (const RpcSchema& s : rpc_schemas()) {
    EXPECT_TRUE(seen.insert(std::string(s.workload) + "/" + std::string(s.request_type)).second)
        << s.workload << " " << s.request_type;
  }
}

TEST(Schema, AcceptsWellFormedReplies) {
  const RpcSchema* bc = find_rpc("broadcast", "broadcast");
  ASSERT_NE(bc, nullptr);
  EXPECT_TRUE(check_reply(*bc, parse(R"({"type":"broadcast_ok","in_reply_to":3})"), 3).ok());
  EXPECT_TRUE(check_reply(*bc, parse(R"({"type":"broadcast_ok","in_reply_to":3,"msg_id":9})")).ok());
  EXPECT_TRUE(check_reply(*bc, parse(R"({"type":"error","in_reply_to":3,"code":11,"text":"x"})")).ok());
  const RpcSchema* rd = find_rpc("g-counter", "read");
  EXPECT_TRUE(check_reply(*rd, parse(R"({"type":"read_ok","in_reply_to":1,"value":-4})")).ok());
}

TEST(Schema, RejectsMalformedReplies) {
  const RpcSchema* bc = find_rpc("broadcast", "broadcast");
  // Echoing the message back is the classic extra-key mistake.
  auto extra = check_reply(*bc, parse(R"({"type":"broadcast_ok","in_reply_to":3,"message":5})"));
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().find("message"), std::string::npos);
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"broadcast_ok"})")).ok());
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"read_ok","in_reply_to":3})")).ok());
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"broadcast_ok","in_reply_to":4})"), 3).ok());
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"broadcast_ok","in_reply_to":"3"})")).ok());
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"error","in_reply_to":3})")).ok());
  EXPECT_FALSE(check_reply(*bc, parse(R"({"type":"error","in_reply_to":3,"code":1,"extra":1})")).ok());
  const RpcSchema* rd = find_rpc("g-counter", "read");
  EXPECT_FALSE(check_reply(*rd, parse(R"({"type":"read_ok","in_reply_to":1,"value":[1]})")).ok());
  EXPECT_FALSE(check_reply(*rd, parse(R"({"type":"read_ok","in_reply_to":1})")).ok());
}

TEST(Schema, RequestsAreClosedToo) {
  const RpcSchema* cas = find_rpc("service:lin-kv", "cas");
  EXPECT_TRUE(check_request(*cas, parse(R"({"type":"cas","msg_id":1,"key":"a","from":1,"to":2})")).ok());
  EXPECT_TRUE(
      check_request(*cas, parse(R"({"type":"cas","msg_id":1,"key":"a","from":1,"to":2,"create_if_not_exists":true})"))
          .ok());
  EXPECT_FALSE(check_request(*cas, parse(R"({"type":"cas","key":"a","from":1})")).ok());
  EXPECT_FALSE(check_request(*find_rpc("lin-kv", "cas"),
                             parse(R"({"type":"cas","key":"a","from":1,"to":2,"create_if_not_exists":true})"))
                   .ok());
}

}  // namespace
}  // namespace squall::proto
