#include <gtest/gtest.h>

#include "gossip/testing/node_harness.h"
#include "gossip/testing/sim_cluster.h"
#include "gossip/txn_list_append.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using testing::SimCluster;
using V = std::vector<std::string>;

std::string body_of(const testing::ClientReply& r) { return r.body.substr(0, r.body.find(",\"in_reply_to\"")); }

TEST(TxnRegister, ReadsSeeOwnWritesAndOnlyLastWritesArePublished) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"txn","msg_id":1,"txn":[["r",1,null],["w",1,5],["r",1,null],["w",1,6]]})"),
            V{R"({"type":"txn_ok","txn":[["r",1,null],["w",1,5],["r",1,5],["w",1,6]],"in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"txn","msg_id":2,"txn":[["r",1,null],["r",2,null]]})"),
            V{R"({"type":"txn_ok","txn":[["r",1,6],["r",2,null]],"in_reply_to":2})"});
  EXPECT_EQ(
      h.ask(R"({"type":"txn","msg_id":3,"txn":[["x",1,null]]})"),
      V{R"x({"type":"error","code":12,"text":"unknown micro-op \"x\" (expected r, w or append)","in_reply_to":3})x"});
}

TEST(TxnRegister, TotallyAvailableUnderPartitionAndConvergesAfter) {
  SimCluster c(2, {}, {}, 20, 3);
  c.partition({0});
  c.request(0, R"({"type":"txn","txn":[["w",1,1],["w",2,1]]})");
  c.run_until(500);
  c.request(1, R"({"type":"txn","txn":[["r",1,null]]})");
  c.run_until(1000);
  ASSERT_EQ(c.replies().size(), 2u);
  EXPECT_EQ(body_of(c.replies()[0]), R"({"type":"txn_ok","txn":[["w",1,1],["w",2,1]])");
  EXPECT_EQ(body_of(c.replies()[1]), R"({"type":"txn_ok","txn":[["r",1,null]])");  // answered, if stale
  c.heal();
  c.run_until(5000);
  c.request(1, R"({"type":"txn","txn":[["r",1,null],["r",2,null]]})");
  c.run_until(5500);
  ASSERT_EQ(c.replies().size(), 3u);
  EXPECT_EQ(body_of(c.replies()[2]), R"({"type":"txn_ok","txn":[["r",1,1],["r",2,1]])");
}

TEST(TxnRegister, AbortedReadFaultAnswers30ButKeepsTheWrites) {
  Faults f;
  f.txn_aborted_read = true;
  NodeHarness h({}, f);
  for (int i = 1; i <= 2; ++i)
    EXPECT_NE(
        h.ask(R"({"type":"txn","msg_id":)" + std::to_string(i) + R"(,"txn":[["w",1,)" + std::to_string(i) + "]]}")[0]
            .find("txn_ok"),
        std::string::npos);
  EXPECT_NE(h.ask(R"({"type":"txn","msg_id":3,"txn":[["w",1,3]]})")[0].find(R"("code":30)"), std::string::npos);
  EXPECT_EQ(h.ask(R"({"type":"txn","msg_id":4,"txn":[["r",1,null]]})"),
            V{R"({"type":"txn_ok","txn":[["r",1,3]],"in_reply_to":4})"});
}

TEST(TxnListAppend, ExecuteAndEncodeRoundTrip) {
  TxnListAppend::Db db;
  std::vector<TxnOp> ops = {{TxnOp::F::kRead, "1", "null"},
                            {TxnOp::F::kAppend, "1", "7"},
                            {TxnOp::F::kRead, "1", "null"},
                            {TxnOp::F::kAppend, "2", "8"}};
  TxnListAppend::execute(ops, db);
  EXPECT_EQ(txn_json(ops), R"([["r",1,null],["append",1,7],["r",1,[7]],["append",2,8]])");
  std::string text = TxnListAppend::encode(db);
  EXPECT_EQ(text, "[[1,[7]],[2,[8]]]");
  rapidjson::Document d;
  d.Parse(text.c_str());
  auto back = TxnListAppend::decode(d);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, db);
  d.Parse("[[1,2]]");
  EXPECT_FALSE(TxnListAppend::decode(d).has_value());
}

// A duplicated cas: the first copy applied, the second's refusal answers first. The
// database read back holds this transaction's element, so it is answered ok with the
// reads of the attempt that applied, not re-run (which would append twice) or aborted
// (which would make its element an aborted read).
TEST(TxnListAppend, ARefusalAfterTheInstallAppliedIsSettledByReadingBack) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  EXPECT_EQ(h.deliver("c1", R"({"type":"txn","msg_id":1,"txn":[["r",1,null],["append",1,7]]})"),
            V{R"(lin-kv {"type":"read","key":"txn-list-append","msg_id":1})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":1,"value":[[1,[5]]]})"),
            V{R"(lin-kv {"type":"cas","key":"txn-list-append","from":[[1,[5]]],"to":[[1,[5,7]]],"msg_id":2})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"error","in_reply_to":2,"code":22,"text":"mismatch"})"),
            V{R"(lin-kv {"type":"read","key":"txn-list-append","msg_id":3})"});
  // Another node appended 8 after ours: still ours, with the reads of our attempt.
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":3,"value":[[1,[5,7,8]]]})"),
            V{R"(c1 {"type":"txn_ok","txn":[["r",1,[5]],["append",1,7]],"in_reply_to":1})"});
}

// A genuine lost race: the element is not there, so the transaction re-runs on the copy
// it just read.
TEST(TxnListAppend, ARefusalWithoutTheElementReRunsOnTheFreshCopy) {
  NodeHarness h({}, {}, "n0", {"n0", "n1"});
  h.deliver("c1", R"({"type":"txn","msg_id":1,"txn":[["r",1,null],["append",1,7]]})");
  h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":1,"value":[[1,[5]]]})");
  h.deliver("lin-kv", R"({"type":"error","in_reply_to":2,"code":22,"text":"mismatch"})");
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":3,"value":[[1,[5,8]]]})"),
            V{R"(lin-kv {"type":"cas","key":"txn-list-append","from":[[1,[5,8]]],"to":[[1,[5,8,7]]],"msg_id":4})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"cas_ok","in_reply_to":4})"),
            V{R"(c1 {"type":"txn_ok","txn":[["r",1,[5,8]],["append",1,7]],"in_reply_to":1})"});
}

TEST(TxnListAppend, ConcurrentAppendsOnSeveralNodesAllLand) {
  SimCluster c(3, {}, {}, 10, 9);
  for (int i = 0; i < 30; ++i)
    c.request(i % 3, R"({"type":"txn","txn":[["append",1,)" + std::to_string(i) + R"(],["r",1,null]]})");
  c.run_until(20'000);
  int ok = 0;
  for (const auto& r : c.replies()) ok += r.body.find("txn_ok") != std::string::npos;
  EXPECT_GE(ok, 25);  // a few may abort with 30 after losing many races
  c.request(0, R"({"type":"txn","txn":[["r",1,null]]})");
  c.run_until(21'000);
  const std::string last = c.replies().back().body;
  ASSERT_NE(last.find("txn_ok"), std::string::npos) << last;
  // Every acknowledged append is in the final list.
  for (size_t i = 0; i + 1 < c.replies().size(); ++i) {
    const auto& r = c.replies()[i].body;
    if (r.find("txn_ok") == std::string::npos) continue;
    size_t at = r.find("[\"append\",1,");
    std::string v = r.substr(at + 12, r.find(']', at) - at - 12);
    bool found = false;
    for (const char* l : {"[", ","})
      for (const char* r2 : {"]", ","}) found |= last.find(l + v + r2) != std::string::npos;
    EXPECT_TRUE(found) << v << " missing from " << last;
  }
}

}  // namespace
}  // namespace squall::gossip
