#include "gossip/lin_kv_proxy.h"

#include <gtest/gtest.h>

#include "core/testing/json.h"
#include "gossip/testing/node_harness.h"
#include "gossip/testing/sim_cluster.h"
#include "proto/json_util.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using testing::SimCluster;
using V = std::vector<std::string>;

TEST(LinKvProxy, ForwardsRequestsAndRelaysReplies) {
  NodeHarness h;
  EXPECT_EQ(h.deliver("c1", R"({"type":"read","msg_id":1,"key":3})"),
            V{R"(lin-kv {"type":"read","key":3,"msg_id":1})"});
  EXPECT_EQ(h.deliver("c1", R"({"type":"write","msg_id":2,"key":3,"value":4})"),
            V{R"(lin-kv {"type":"write","key":3,"value":4,"msg_id":2})"});
  EXPECT_EQ(h.deliver("c1", R"({"type":"cas","msg_id":3,"key":3,"from":4,"to":1})"),
            V{R"(lin-kv {"type":"cas","key":3,"from":4,"to":1,"msg_id":3})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":1,"value":[1,2]})"),
            V{R"(c1 {"type":"read_ok","value":[1,2],"in_reply_to":1})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"write_ok","in_reply_to":2})"),
            V{R"(c1 {"type":"write_ok","in_reply_to":2})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"error","in_reply_to":3,"code":22,"text":"expected 4, had 2"})"),
            V{R"(c1 {"type":"error","code":22,"text":"expected 4, had 2","in_reply_to":3})"});
}

TEST(LinKvProxy, ServiceTimeoutIsIndefinite) {
  NodeHarness h;
  h.deliver("c1", R"({"type":"write","msg_id":1,"key":1,"value":1})");
  EXPECT_EQ(h.tick(2000), V{R"(c1 {"type":"error","code":0,"text":"lin-kv did not answer in time","in_reply_to":1})"});
}

TEST(LinKvProxy, MissingFieldsAreMalformed) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"write","msg_id":1,"key":1})"),
            V{R"({"type":"error","code":12,"text":"write requires keys \"key\" and \"value\"","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"cas","msg_id":2,"key":1,"from":1})"),
            V{R"({"type":"error","code":12,"text":"cas requires keys \"key\", \"from\" and \"to\"","in_reply_to":2})"});
}

TEST(LinKvProxy, ViaFaultUsesAnotherService) {
  Faults f;
  f.lin_kv_via = "lww-kv";
  NodeHarness h({}, f);
  EXPECT_EQ(h.deliver("c1", R"({"type":"read","msg_id":1,"key":3})"),
            V{R"(lww-kv {"type":"read","key":3,"msg_id":1})"});
}

// The cluster's lin-kv is the real service (src/services), so values compare as JSON
// values, not as the text a node happened to write: a cas whose `from` lists the same
// members in another order succeeds, as in Maelstrom.
TEST(LinKvProxy, ClusterRequestsReachTheRealLinKv) {
  SimCluster c(2, {}, {}, 10, 1);
  auto reply = [&c](int node, const std::string& body) {
    c.request(node, body);
    c.run_until(c.now_ms() + 1000);
    return squall::testing::parse_json(c.replies().back().body);
  };
  EXPECT_EQ(proto::get_string(reply(0, R"({"type":"read","key":"k"})"), "type"), "error");
  EXPECT_EQ(proto::get_string(reply(0, R"({"type":"write","key":"k","value":{"a":1,"b":[2]}})"), "type"), "write_ok");
  EXPECT_EQ(proto::get_string(reply(1, R"({"type":"cas","key":"k","from":{"b":[2],"a":1},"to":3})"), "type"), "cas_ok");
  auto read = reply(0, R"({"type":"read","key":"k"})");
  ASSERT_TRUE(read.HasMember("value"));
  EXPECT_EQ(proto::to_json(read["value"]), "3");
  auto mismatch = reply(1, R"({"type":"cas","key":"k","from":4,"to":5})");
  EXPECT_EQ(proto::get_int(mismatch, "code"), 22);
  EXPECT_EQ(c.replies().size(), 5u);
}

}  // namespace
}  // namespace squall::gossip
