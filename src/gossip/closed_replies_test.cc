// Every reply type maelstrom_gossip produces carries exactly the keys the closed
// schemas allow (proto/schema.h), with the right in_reply_to — for success and error
// replies alike.
#include <gtest/gtest.h>

#include <set>

#include "core/testing/json.h"
#include "gossip/testing/sim_cluster.h"
#include "proto/json_util.h"
#include "proto/schema.h"

namespace squall::gossip {
namespace {

using testing::SimCluster;

struct Case {
  const char* workload;
  std::vector<std::string> requests;  // bodies without msg_id, sent in order to n0 / n1
};

std::vector<Case> cases() {
  return {
      {"echo", {R"({"type":"echo","echo":{"x":[1]}})"}},
      {"unique-ids", {R"({"type":"generate"})"}},
      {"broadcast",
       {R"({"type":"topology","topology":{"n0":["n1"],"n1":["n0"]}})", R"({"type":"broadcast","message":1})",
        R"({"type":"read"})"}},
      {"g-set", {R"({"type":"add","element":2})", R"({"type":"read"})"}},
      {"g-counter", {R"({"type":"add","delta":2})", R"({"type":"read"})"}},
      {"pn-counter", {R"({"type":"add","delta":-2})", R"({"type":"read"})"}},
      {"lin-kv",
       {R"({"type":"write","key":1,"value":2})", R"({"type":"read","key":1})",
        R"({"type":"cas","key":1,"from":2,"to":3})", R"({"type":"cas","key":1,"from":2,"to":3})",
        R"({"type":"read","key":9})"}},
      {"kafka",
       {R"({"type":"send","key":"0","msg":5})", R"({"type":"send","key":"0","msg":6})",
        R"({"type":"poll","offsets":{"0":0}})", R"({"type":"commit_offsets","offsets":{"0":1}})",
        R"({"type":"list_committed_offsets","keys":["0"]})"}},
      // Malformed requests: their error replies must be closed too.
      {"echo", {R"({"type":"echo"})"}},
      {"g-counter", {R"({"type":"add","delta":"x"})"}},
      {"kafka", {R"({"type":"poll","offsets":7})", R"({"type":"send","key":"0"})"}},
      {"lin-kv", {R"({"type":"cas","key":1})"}},
  };
}

TEST(ClosedReplies, EveryReplyHasExactlyItsAllowedKeys) {
  std::set<std::string> covered;  // "workload/request" answered with the success type
  for (const Case& c : cases()) {
    SimCluster cluster(2, {}, {}, 10, 1);
    int node = 0;
    for (const std::string& body : c.requests) {
      std::string type(proto::get_string(squall::testing::parse_json(body), "type").value_or(""));
      const proto::RpcSchema* schema = proto::find_rpc(c.workload, type);
      ASSERT_NE(schema, nullptr) << c.workload << " " << type;
      size_t before = cluster.replies().size();
      int64_t msg_id = cluster.request(node, body);
      cluster.run_until(cluster.now_ms() + 3000);  // room for lin-kv round trips and gossip
      ASSERT_EQ(cluster.replies().size(), before + 1) << c.workload << " " << body;
      const std::string& reply = cluster.replies().back().body;
      auto doc = squall::testing::parse_json(reply);
      Status s = proto::check_reply(*schema, doc, msg_id);
      EXPECT_TRUE(s.ok()) << c.workload << " " << body << " -> " << reply << ": " << (s.ok() ? "" : s.error());
      if (proto::get_string(doc, "type") == schema->reply_type) covered.insert(std::string(c.workload) + "/" + type);
      node = 1 - node;  // alternate nodes, so replication paths answer too
    }
  }
  // Every request of every workload we serve got a success reply at least once.
  for (const proto::RpcSchema& s : proto::rpc_schemas()) {
    std::string_view w = s.workload;
    if (w == "*" || w.substr(0, 4) == "txn-" || w.substr(0, 8) == "service:") continue;
    EXPECT_TRUE(covered.count(std::string(w) + "/" + std::string(s.request_type)))
        << "not exercised: " << w << " " << s.request_type;
  }
}

TEST(ClosedReplies, InitOkIsClosed) {
  node::Node n;
  Server server(n, {}, {});
  n.receive_line(R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}})", 0);
  ASSERT_EQ(n.outbox().size(), 1u);
  EXPECT_TRUE(
      proto::check_reply(*proto::find_rpc("echo", "init"), squall::testing::parse_json(n.outbox()[0].body), 1).ok());
}

TEST(ClosedReplies, CheckerRejectsAnOpenReply) {
  // Negative control for the test above: a reply echoing the message back must fail.
  auto doc = squall::testing::parse_json(R"({"type":"broadcast_ok","in_reply_to":1,"message":1})");
  EXPECT_FALSE(proto::check_reply(*proto::find_rpc("broadcast", "broadcast"), doc, 1).ok());
}

}  // namespace
}  // namespace squall::gossip
