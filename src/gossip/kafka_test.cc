#include "gossip/kafka.h"

#include <gtest/gtest.h>

#include <set>

#include "gossip/testing/node_harness.h"
#include "gossip/testing/sim_cluster.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using testing::SimCluster;
using V = std::vector<std::string>;

TEST(Kafka, SingleNodeLog) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"send","msg_id":1,"key":"a","msg":10})"),
            V{R"({"type":"send_ok","offset":0,"in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"send","msg_id":2,"key":"a","msg":11})"),
            V{R"({"type":"send_ok","offset":1,"in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"send","msg_id":3,"key":"b","msg":12})"),
            V{R"({"type":"send_ok","offset":0,"in_reply_to":3})"});
  EXPECT_EQ(h.ask(R"({"type":"poll","msg_id":4,"offsets":{"a":1,"b":0,"c":0}})"),
            V{R"({"type":"poll_ok","msgs":{"a":[[1,11]],"b":[[0,12]]},"in_reply_to":4})"});
  EXPECT_EQ(h.ask(R"({"type":"commit_offsets","msg_id":5,"offsets":{"a":1}})"),
            V{R"({"type":"commit_offsets_ok","in_reply_to":5})"});
  EXPECT_EQ(h.ask(R"({"type":"commit_offsets","msg_id":6,"offsets":{"a":0}})"),
            V{R"({"type":"commit_offsets_ok","in_reply_to":6})"});
  EXPECT_EQ(h.ask(R"({"type":"list_committed_offsets","msg_id":7,"keys":["a","b"]})"),
            V{R"({"type":"list_committed_offsets_ok","offsets":{"a":1},"in_reply_to":7})"});
}

TEST(Kafka, ErrorPaths) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"send","msg_id":1,"key":"a"})"),
            V{R"({"type":"error","code":12,"text":"send requires keys \"key\" and \"msg\"","in_reply_to":1})"});
  EXPECT_EQ(
      h.ask(R"({"type":"poll","msg_id":2,"offsets":{"a":-1}})"),
      V{R"({"type":"error","code":12,"text":"poll requires \"offsets\": an object of non-negative integers","in_reply_to":2})"});
  EXPECT_EQ(
      h.ask(R"({"type":"commit_offsets","msg_id":3})"),
      V{R"({"type":"error","code":12,"text":"commit_offsets requires \"offsets\": an object of non-negative integers","in_reply_to":3})"});
  EXPECT_EQ(
      h.ask(R"({"type":"list_committed_offsets","msg_id":4,"keys":"a"})"),
      V{R"({"type":"error","code":12,"text":"list_committed_offsets requires an array \"keys\"","in_reply_to":4})"});
}

TEST(Kafka, PollsStopAtGaps) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  // Offsets 0 and 2 arrive by gossip, 1 is still in flight: a poll from 0 returns only 0.
  h.deliver("n1", R"({"type":"kf_gossip","msg_id":1,"elems":[["k",0,"a",1],["k",2,"c",3]]})");
  EXPECT_EQ(h.ask(R"({"type":"poll","msg_id":2,"offsets":{"k":0}})"),
            V{R"({"type":"poll_ok","msgs":{"k":[[0,"a"]]},"in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"poll","msg_id":3,"offsets":{"k":1}})"),
            V{R"({"type":"poll_ok","msgs":{},"in_reply_to":3})"});
  h.deliver("n1", R"({"type":"kf_gossip","msg_id":4,"elems":[["k",1,"b",2]]})");
  EXPECT_EQ(h.ask(R"({"type":"poll","msg_id":5,"offsets":{"k":0}})"),
            V{R"({"type":"poll_ok","msgs":{"k":[[0,"a"],[1,"b"],[2,"c"]]},"in_reply_to":5})"});
}

TEST(Kafka, MultiNodeClaimsRangesOfOffsetsInLinKv) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  EXPECT_EQ(
      h.deliver("c1", R"({"type":"send","msg_id":1,"key":"k","msg":5})"),
      V{R"(lin-kv {"type":"cas","key":"kafka/at/k/0","from":-1,"to":[1,"n0:1"],"create_if_not_exists":true,"msg_id":1})"});
  // Another node got there first: read whose range it is, then claim after its end.
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"error","in_reply_to":1,"code":22,"text":"mismatch"})"),
            V{R"(lin-kv {"type":"read","key":"kafka/at/k/0","msg_id":2})"});
  EXPECT_EQ(
      h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":2,"value":[3,"n1:7"]})"),
      V{R"(lin-kv {"type":"cas","key":"kafka/at/k/3","from":-1,"to":[4,"n0:2"],"create_if_not_exists":true,"msg_id":3})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"cas_ok","in_reply_to":3})"),
            V{R"(c1 {"type":"send_ok","offset":3,"in_reply_to":1})"});
}

// The reply to a claim is lost: the identical claim goes again, and its refusal (the
// first copy had applied) is settled by reading the range back: it is this node's, so
// the send gets its offset and no offset is left unwritten.
TEST(Kafka, AClaimWhoseReplyIsLostIsSettledByItsName) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  EXPECT_EQ(
      h.deliver("c1", R"({"type":"send","msg_id":1,"key":"k","msg":5})"),
      V{R"(lin-kv {"type":"cas","key":"kafka/at/k/0","from":-1,"to":[1,"n0:1"],"create_if_not_exists":true,"msg_id":1})"});
  V to_kv;
  for (const std::string& line : h.tick(Kafka::kServiceTimeoutMaxMs + 1))
    if (line.rfind("lin-kv ", 0) == 0) to_kv.push_back(line);
  EXPECT_EQ(
      to_kv,
      V{R"(lin-kv {"type":"cas","key":"kafka/at/k/0","from":-1,"to":[1,"n0:1"],"create_if_not_exists":true,"msg_id":2})"});
  const int64_t later = Kafka::kServiceTimeoutMaxMs + 2;
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"error","in_reply_to":2,"code":22,"text":"mismatch"})", later),
            V{R"(lin-kv {"type":"read","key":"kafka/at/k/0","msg_id":3})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":3,"value":[1,"n0:1"]})", later),
            V{R"(c1 {"type":"send_ok","offset":0,"in_reply_to":1})"});
}

// A node learns from gossiped messages where taken ranges end, and claims after them.
TEST(Kafka, GossipedRangeEndsMoveTheNextClaimPastTakenOffsets) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  h.deliver("n1", R"({"type":"kf_gossip","msg_id":1,"elems":[["k",0,"a",5]]})");
  EXPECT_EQ(
      h.deliver("c1", R"({"type":"send","msg_id":1,"key":"k","msg":5})"),
      V{R"(lin-kv {"type":"cas","key":"kafka/at/k/5","from":-1,"to":[6,"n0:1"],"create_if_not_exists":true,"msg_id":1})"});
}

// Sends from every node to a few keys; returns (key, offset) -> msgs seen on any node.
struct KafkaOutcome {
  std::map<std::pair<std::string, int64_t>, std::set<std::string>> at;
  size_t acked = 0;
};

KafkaOutcome run_kafka(const Faults& faults) {
  SimCluster c(3, {}, faults, 50, 17);
  Rng rng(3);
  KafkaOutcome out;
  for (int i = 0; i < 120; ++i) {
    c.run_until(c.now_ms() + static_cast<int64_t>(rng.below(30)));
    std::string key = std::to_string(rng.below(2));
    c.request(static_cast<int>(rng.below(3)),
              R"({"type":"send","key":")" + key + R"(","msg":)" + std::to_string(i) + "}");
  }
  c.run_until(c.now_ms() + 10'000);
  for (const auto& r : c.replies()) out.acked += r.body.find("send_ok") != std::string::npos;
  for (int i = 0; i < c.size(); ++i) {
    for (const char* key : {"0", "1"}) {
      const auto* log = c.server(i).kafka().log(key);
      if (log == nullptr) continue;
      for (const auto& [off, msg] : *log) out.at[{key, off}].insert(msg);
    }
  }
  return out;
}

TEST(KafkaSim, OffsetsAreUniqueDenseAndEverywhere) {
  KafkaOutcome o = run_kafka({});
  EXPECT_EQ(o.acked, 120u);
  EXPECT_EQ(o.at.size(), 120u);  // every send has its own (key, offset)
  for (const auto& [ko, msgs] : o.at) EXPECT_EQ(msgs.size(), 1u) << ko.first << "/" << ko.second;
  // Dense: key k's offsets are 0..n-1.
  std::map<std::string, int64_t> count;
  for (const auto& [ko, msgs] : o.at) {
    EXPECT_EQ(ko.second, count[ko.first]);
    count[ko.first]++;
  }
}

TEST(KafkaSim, LocalOffsetsFaultConflicts) {
  Faults f;
  f.kafka_local_offsets = true;
  KafkaOutcome o = run_kafka(f);
  size_t conflicts = 0;
  for (const auto& [ko, msgs] : o.at) conflicts += msgs.size() > 1;
  EXPECT_GT(conflicts, 0u) << "negative control: per-node offsets must collide";
}

TEST(KafkaSim, CommitsAreSharedThroughLinKv) {
  SimCluster c(2, {}, {}, 50, 5);
  c.request(0, R"({"type":"commit_offsets","offsets":{"a":4}})");
  c.run_until(1000);
  c.request(1, R"({"type":"commit_offsets","offsets":{"a":2,"b":1}})");  // never lowers a
  c.run_until(2000);
  c.request(1, R"({"type":"list_committed_offsets","keys":["a","b","z"]})");
  c.run_until(3000);
  ASSERT_EQ(c.replies().size(), 3u);
  EXPECT_NE(c.replies()[0].body.find("commit_offsets_ok"), std::string::npos);
  EXPECT_NE(c.replies()[1].body.find("commit_offsets_ok"), std::string::npos);
  EXPECT_EQ(c.replies()[2].body.substr(0, c.replies()[2].body.find(",\"in_reply_to\"")),
            R"({"type":"list_committed_offsets_ok","offsets":{"a":4,"b":1})");
}

}  // namespace
}  // namespace squall::gossip
