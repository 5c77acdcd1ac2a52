#include "node/kv_client.h"

#include <gtest/gtest.h>

namespace squall::node {
namespace {

class KvClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node.receive_line(R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}})",
                      0);
    node.outbox().clear();
  }
  std::string last_sent() {
    EXPECT_FALSE(node.outbox().empty());
    std::string s = node.outbox().back().dest + " " + node.outbox().back().body;
    node.outbox().clear();
    return s;
  }
  Node node;
};

TEST_F(KvClientTest, RequestsCarryExactlyTheServiceSchema) {
  KvClient kv(node, "lin-kv");
  kv.read(proto::json_string("k"), [](const RpcReply&) {});
  EXPECT_EQ(last_sent(), R"(lin-kv {"type":"read","key":"k","msg_id":1})");
  kv.write("3", "[1,2]", [](const RpcReply&) {});
  EXPECT_EQ(last_sent(), R"(lin-kv {"type":"write","key":3,"value":[1,2],"msg_id":2})");
  kv.cas("3", "1", "2", false, [](const RpcReply&) {});
  EXPECT_EQ(last_sent(), R"(lin-kv {"type":"cas","key":3,"from":1,"to":2,"msg_id":3})");
  kv.cas("3", "0", "1", true, [](const RpcReply&) {});
  EXPECT_EQ(last_sent(), R"(lin-kv {"type":"cas","key":3,"from":0,"to":1,"create_if_not_exists":true,"msg_id":4})");
  KvClient seq(node, "seq-kv");
  seq.read("1", [](const RpcReply&) {});
  EXPECT_EQ(last_sent(), R"(seq-kv {"type":"read","key":1,"msg_id":5})");
}

TEST_F(KvClientTest, ReadValuesErrorsAndTimeouts) {
  KvClient kv(node, "lin-kv", 50);
  std::vector<std::string> got;
  auto record = [&got](const RpcReply& r) {
    if (r.timed_out())
      got.push_back("timeout");
    else if (r.is_error())
      got.push_back("error " + std::to_string(r.error_code()));
    else
      got.push_back("value " + std::to_string(KvClient::int_value(r).value_or(-1)));
  };
  kv.read("1", record);
  kv.read("2", record);
  kv.read("3", record);
  node.receive_line(R"({"src":"lin-kv","dest":"n0","body":{"type":"read_ok","in_reply_to":1,"value":42}})", 1);
  node.receive_line(R"({"src":"lin-kv","dest":"n0","body":{"type":"error","in_reply_to":2,"code":20,"text":"no"}})", 1);
  node.tick(50);
  EXPECT_EQ(got, (std::vector<std::string>{"value 42", "error 20", "timeout"}));
}

TEST_F(KvClientTest, Tso) {
  TsoClient tso(node);
  std::optional<int64_t> ts;
  tso.ts([&ts](const RpcReply& r) { ts = TsoClient::ts_of(r); });
  EXPECT_EQ(last_sent(), R"(lin-tso {"type":"ts","msg_id":1})");
  node.receive_line(R"({"src":"lin-tso","dest":"n0","body":{"type":"ts_ok","in_reply_to":1,"ts":7}})", 1);
  EXPECT_EQ(ts, 7);
}

}  // namespace
}  // namespace squall::node
