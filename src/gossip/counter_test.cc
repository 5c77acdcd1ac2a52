// g-counter / pn-counter: handler JSON and CRDT replication under partitions.
#include <gtest/gtest.h>

#include "gossip/testing/node_harness.h"
#include "gossip/testing/sim_cluster.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using testing::SimCluster;
using V = std::vector<std::string>;

TEST(Counter, HandlersSingleNode) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":1,"delta":5})"), V{R"({"type":"add_ok","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":2,"delta":-7})"), V{R"({"type":"add_ok","in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":3})"), V{R"({"type":"read_ok","value":-2,"in_reply_to":3})"});
}

TEST(Counter, ErrorPaths) {
  NodeHarness h;
  const std::string bad_delta =
      R"j({"type":"error","code":12,"text":"add requires an integer \"delta\" (counters) or an \"element\" (g-set)","in_reply_to":1})j";
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":1,"delta":"5"})"), V{bad_delta});
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":1,"delta":1.5})"), V{bad_delta});
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":2,"delta":9223372036854775807})"),
            V{R"({"type":"add_ok","in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":3,"delta":1})"),
            V{R"({"type":"error","code":14,"text":"add would overflow the counter","in_reply_to":3})"});
  EXPECT_EQ(
      h.ask(R"({"type":"ctr_state","msg_id":4,"counts":{"n1":[1]}})", "n1"),
      V{R"({"type":"error","code":12,"text":"ctr_state counts must map node ids to [p, n] integer pairs","in_reply_to":4})"});
}

TEST(Counter, StateGossipMergesAndIsNotEchoedBack) {
  GossipConfig quiet;
  quiet.anti_entropy_ms = 1'000'000;  // only the fast path in this exact-output test
  quiet.gossip_ms = 100;
  NodeHarness h(quiet, {}, "n1", {"n0", "n1", "n2"});
  h.ask(R"({"type":"add","msg_id":1,"delta":2})");
  EXPECT_EQ(h.tick(100), V{R"(n0 {"type":"ctr_state","counts":{"n1":[2,0]},"msg_id":1})"});
  h.deliver("n0", R"({"type":"ctr_state_ok","in_reply_to":1})", 150);
  // The hub's merged state covers ours: merged, acknowledged, nothing sent back.
  EXPECT_EQ(h.deliver("n0", R"({"type":"ctr_state","msg_id":5,"counts":{"n1":[2,0],"n2":[0,4]}})", 160),
            V{R"(n0 {"type":"ctr_state_ok","in_reply_to":5})"});
  EXPECT_EQ(h.tick(200), V{});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":2})", "c1", 200), V{R"({"type":"read_ok","value":-2,"in_reply_to":2})"});
}

// Random adds to random nodes under a partition schedule; returns (sum of acked
// deltas, final reads).
std::pair<int64_t, std::vector<int64_t>> run_counter(const Faults& faults) {
  SimCluster c(5, {}, faults, 100, 11);
  Rng rng(5);
  int64_t sum = 0;
  std::vector<std::pair<int64_t, std::set<int>>> nemesis = {{1000, {0}}, {3000, {}}, {4000, {1, 2}}, {7000, {}}};
  size_t next = 0;
  while (c.now_ms() < 9000) {
    c.run_until(c.now_ms() + static_cast<int64_t>(rng.below(100)));
    if (next < nemesis.size() && nemesis[next].first <= c.now_ms()) {
      if (nemesis[next].second.empty())
        c.heal();
      else
        c.partition(nemesis[next].second);
      next++;
    }
    int64_t delta = rng.range(-5, 10);
    size_t before = c.replies().size();
    c.request(static_cast<int>(rng.below(5)), R"({"type":"add","delta":)" + std::to_string(delta) + "}");
    EXPECT_EQ(c.replies().size(), before + 1);
    if (c.replies().back().body.find("add_ok") != std::string::npos) sum += delta;
  }
  c.heal();
  c.run_until(c.now_ms() + 10'000);
  std::vector<int64_t> reads;
  for (int i = 0; i < c.size(); ++i) reads.push_back(c.server(i).counter().value());
  return {sum, reads};
}

TEST(CounterSim, FinalReadsEqualTheSumOfAcknowledgedAdds) {
  auto [sum, reads] = run_counter({});
  for (int64_t r : reads) EXPECT_EQ(r, sum);
}

TEST(CounterSim, LoseAddsFaultIsVisible) {
  Faults f;
  f.lose_adds = true;
  auto [sum, reads] = run_counter(f);
  // Still convergent (the same value everywhere), but not the acknowledged sum.
  for (int64_t r : reads) EXPECT_EQ(r, reads[0]);
  EXPECT_NE(reads[0], sum);
}

TEST(CounterSim, NoGossipFaultDiverges) {
  Faults f;
  f.no_gossip = true;
  auto [sum, reads] = run_counter(f);
  int wrong = 0;
  for (int64_t r : reads) wrong += r != sum;
  EXPECT_GT(wrong, 0);
}

}  // namespace
}  // namespace squall::gossip
