// Broadcast and g-set: handler JSON (single node) and replication over a simulated
// network (convergence under partitions, efficiency at 25 nodes).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "gossip/testing/node_harness.h"
#include "gossip/testing/sim_cluster.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using testing::SimCluster;
using V = std::vector<std::string>;

TEST(Broadcast, HandlersSingleNode) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"topology","msg_id":1,"topology":{"n0":[]}})"),
            V{R"({"type":"topology_ok","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"broadcast","msg_id":2,"message":5})"), V{R"({"type":"broadcast_ok","in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"broadcast","msg_id":3,"message":5})"), V{R"({"type":"broadcast_ok","in_reply_to":3})"});
  EXPECT_EQ(h.ask(R"({"type":"broadcast","msg_id":4,"message":"x"})"), V{R"({"type":"broadcast_ok","in_reply_to":4})"});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":5})"), V{R"({"type":"read_ok","messages":[5,"x"],"in_reply_to":5})"});
}

TEST(Broadcast, ErrorPaths) {
  NodeHarness h;
  EXPECT_EQ(
      h.ask(R"({"type":"read","msg_id":1})"),
      V{R"({"type":"error","code":11,"text":"this node cannot tell yet whether it serves broadcast, g-set or a counter (no add, broadcast or gossip seen); retry, or start it with --workload","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"broadcast","msg_id":2})"),
            V{R"({"type":"error","code":12,"text":"broadcast requires key \"message\"","in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"topology","msg_id":3,"topology":[1]})"),
            V{R"({"type":"error","code":12,"text":"topology requires an object \"topology\"","in_reply_to":3})"});
  EXPECT_EQ(h.ask(R"({"type":"bc_gossip","msg_id":4,"elems":3})", "n1"),
            V{R"({"type":"error","code":12,"text":"bc_gossip requires an array \"elems\"","in_reply_to":4})"});
}

TEST(Broadcast, PinnedWorkloadAnswersEmptyReads) {
  GossipConfig c;
  c.workload = "broadcast";
  NodeHarness h(c);
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":1})"), V{R"({"type":"read_ok","messages":[],"in_reply_to":1})"});
}

// Anti-entropy off, so that only the fast path shows in the exact-output tests.
GossipConfig quiet() {
  GossipConfig c;
  c.anti_entropy_ms = 1'000'000;
  c.gossip_ms = 100;
  c.retransmit_ms = 500;
  return c;
}

TEST(Broadcast, GossipIsBatchedAndAcknowledged) {
  NodeHarness h(quiet(), {}, "n1", {"n0", "n1", "n2"});
  h.ask(R"({"type":"broadcast","msg_id":1,"message":1})");
  h.ask(R"({"type":"broadcast","msg_id":2,"message":2})");
  // A leaf talks to the hub only, one batch per gossip interval.
  EXPECT_EQ(h.tick(100), V{R"(n0 {"type":"bc_gossip","elems":[1,2],"msg_id":1})"});
  EXPECT_EQ(h.tick(200), V{});
  EXPECT_EQ(h.deliver("n0", R"({"type":"bc_gossip_ok","in_reply_to":1})", 250), V{});
  // Gossip from the hub is acknowledged, not echoed back, and new elements are read.
  EXPECT_EQ(h.deliver("n0", R"({"type":"bc_gossip","msg_id":9,"elems":[2,3]})", 260),
            V{R"(n0 {"type":"bc_gossip_ok","in_reply_to":9})"});
  EXPECT_EQ(h.tick(300), V{});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":3})", "c1", 300),
            V{R"({"type":"read_ok","messages":[1,2,3],"in_reply_to":3})"});
}

TEST(Broadcast, UnacknowledgedBatchesAreRetransmitted) {
  NodeHarness h(quiet(), {}, "n1", {"n0", "n1"});
  h.ask(R"({"type":"broadcast","msg_id":1,"message":7})");
  EXPECT_EQ(h.tick(100), V{R"(n0 {"type":"bc_gossip","elems":[7],"msg_id":1})"});
  EXPECT_EQ(h.tick(599), V{});
  // The RPC times out (retransmit_ms = 500) and the batch goes out again on that tick,
  // now with a doubled timeout.
  EXPECT_EQ(h.tick(600), V{R"(n0 {"type":"bc_gossip","elems":[7],"msg_id":2})"});
  EXPECT_EQ(h.tick(1599), V{});
  EXPECT_EQ(h.tick(1600), V{R"(n0 {"type":"bc_gossip","elems":[7],"msg_id":3})"});
}

TEST(Broadcast, AntiEntropyRepairsDifferences) {
  NodeHarness h(quiet(), {}, "n1", {"n0", "n1", "n2"});
  h.ask(R"({"type":"broadcast","msg_id":1,"message":1})");
  // n2 reports a different digest: we answer with everything, asking for its extras back.
  EXPECT_EQ(h.deliver("n2", R"({"type":"bc_digest","count":1,"digest":"0000000000000000"})"),
            V{R"(n2 {"type":"bc_sync","elems":[1],"back":true})"});
  // Its sync brings 4 and asks for what it lacks, which is 1.
  EXPECT_EQ(h.deliver("n2", R"({"type":"bc_sync","elems":[4],"back":true})"),
            V{R"(n2 {"type":"bc_sync","elems":[1],"back":false})"});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":2})"), V{R"({"type":"read_ok","messages":[1,4],"in_reply_to":2})"});
}

TEST(GSet, HandlersSingleNode) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":1,"element":3})"), V{R"({"type":"add_ok","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"add","msg_id":2,"element":[1]})"), V{R"({"type":"add_ok","in_reply_to":2})"});
  EXPECT_EQ(h.ask(R"({"type":"read","msg_id":3})"), V{R"({"type":"read_ok","value":[3,[1]],"in_reply_to":3})"});
  EXPECT_EQ(
      h.ask(R"({"type":"add","msg_id":4})"),
      V{R"j({"type":"error","code":12,"text":"add requires an integer \"delta\" (counters) or an \"element\" (g-set)","in_reply_to":4})j"});
}

// Drives a broadcast (or g-set) workload on a SimCluster: one op every uniform [0, 2/rate]
// seconds, half writes of 0,1,2,… and half reads, to random nodes.
struct SetRun {
  std::map<int64_t, int64_t> acked_at;       // value -> ack time
  std::map<int64_t, int64_t> everywhere_at;  // value -> time every node held it
};

bool holds(SimCluster& c, int i, int64_t v, bool gset) {
  const SetReplica& r = gset ? c.server(i).gset() : c.server(i).broadcast();
  return r.set().contains(std::to_string(v));
}

void step(SimCluster& c, SetRun& run, int64_t until_ms, bool gset) {
  while (c.now_ms() < until_ms) {
    c.run_until(std::min(until_ms, c.now_ms() + 5));
    for (auto& [v, t] : run.acked_at) {
      if (run.everywhere_at.count(v)) continue;
      bool all = true;
      for (int i = 0; i < c.size() && all; ++i) all = holds(c, i, v, gset);
      if (all) run.everywhere_at[v] = c.now_ms();
    }
  }
}

SetRun drive(SimCluster& c, int64_t duration_ms, double rate, bool gset, uint64_t seed,
             const std::vector<std::pair<int64_t, std::set<int>>>& partitions = {}) {
  Rng rng(seed);
  SetRun run;
  int64_t value = 0;
  size_t next_partition = 0;
  bool partitioned = false;
  for (int i = 0; i < c.size(); ++i) {
    if (!gset) c.request(i, R"({"type":"topology","topology":{}})");
  }
  while (c.now_ms() < duration_ms) {
    int64_t gap = static_cast<int64_t>(rng.unit() * 2000.0 / rate);
    step(c, run, c.now_ms() + gap, gset);
    while (next_partition < partitions.size() && partitions[next_partition].first <= c.now_ms()) {
      if (partitions[next_partition].second.empty()) {
        c.heal();
        partitioned = false;
      } else {
        c.partition(partitions[next_partition].second);
        partitioned = true;
      }
      next_partition++;
    }
    int node = static_cast<int>(rng.below(static_cast<uint64_t>(c.size())));
    if (rng.chance(1, 2)) {
      std::string body = gset ? R"({"type":"add","element":)" + std::to_string(value) + "}"
                              : R"({"type":"broadcast","message":)" + std::to_string(value) + "}";
      c.request(node, body);  // zero client latency: acknowledged at once
      run.acked_at[value++] = c.now_ms();
    } else {
      c.request(node, R"({"type":"read"})");
    }
  }
  (void)partitioned;
  return run;
}

int64_t percentile(std::vector<int64_t> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

TEST(BroadcastSim, MeetsTheEfficiencyTargetsAt25Nodes) {
  // Maelstrom's efficiency challenge: 25 nodes, --rate 100, --latency 100, 20 s.
  SimCluster c(25, {}, {}, 100, 42);
  SetRun run = drive(c, 20'000, 100.0, false, 7);
  for (int i = 0; i < c.size(); ++i) c.request(i, R"({"type":"read"})");  // final reads count as ops
  step(c, run, c.now_ms() + 3000, false);
  std::vector<int64_t> lat;
  for (auto& [v, t] : run.acked_at) {
    ASSERT_TRUE(run.everywhere_at.count(v)) << "value " << v << " never reached every node";
    lat.push_back(run.everywhere_at[v] - t);
  }
  double msgs_per_op = static_cast<double>(c.server_messages()) / static_cast<double>(c.client_requests());
  int64_t p50 = percentile(lat, 0.5), max = percentile(lat, 1.0);
  std::cout << "25 nodes, rate 100, latency 100 (uniform 0-200): msgs-per-op " << msgs_per_op << ", propagation p50 "
            << p50 << " ms, max " << max << " ms, values " << lat.size() << "\n";
  EXPECT_LT(msgs_per_op, 20.0);
  EXPECT_LT(p50, 400);
  EXPECT_LT(max, 600);
}

TEST(BroadcastSim, ConstantLatencyStaysUnder600) {
  SimCluster c(25, {}, {}, 100, 43);
  c.set_constant_latency(true);
  SetRun run = drive(c, 10'000, 100.0, false, 8);
  step(c, run, c.now_ms() + 2000, false);
  std::vector<int64_t> lat;
  for (auto& [v, t] : run.acked_at) lat.push_back(run.everywhere_at.count(v) ? run.everywhere_at[v] - t : 99999);
  std::cout << "25 nodes, rate 100, latency 100 (constant): msgs-per-op "
            << static_cast<double>(c.server_messages()) / static_cast<double>(c.client_requests())
            << ", propagation p50 " << percentile(lat, 0.5) << " ms, max " << percentile(lat, 1.0) << " ms\n";
  EXPECT_LT(percentile(lat, 0.5), 400);
  EXPECT_LT(percentile(lat, 1.0), 600);
}

// Partitions of every kind Maelstrom's nemesis makes, including isolating the hub n0.
std::vector<std::pair<int64_t, std::set<int>>> nemesis_schedule() {
  return {{1000, {0}}, {3000, {}}, {4000, {0, 1}}, {6500, {}}, {7000, {4}}, {9000, {0, 2, 4}}, {11000, {}}};
}

void expect_converged(bool gset, const Faults& faults, bool expect_ok) {
  SimCluster c(5, {}, faults, 100, 3);
  SetRun run = drive(c, 11'000, 20.0, gset, 9, nemesis_schedule());
  c.heal();
  step(c, run, c.now_ms() + 10'000, gset);  // heal, wait 10 s, as Maelstrom does
  size_t missing = 0;
  for (auto& [v, t] : run.acked_at) {
    for (int i = 0; i < c.size(); ++i) missing += !holds(c, i, v, gset);
  }
  ASSERT_GT(run.acked_at.size(), 50u);
  if (expect_ok) {
    EXPECT_EQ(missing, 0u);
  } else {
    EXPECT_GT(missing, 0u) << "negative control: without gossip the nodes must diverge";
  }
}

TEST(BroadcastSim, EveryAcknowledgedMessageReachesEveryNodeAfterPartitionsHeal) { expect_converged(false, {}, true); }

TEST(BroadcastSim, TwentyFiveNodesConvergeWithinTenSecondsOfHealing) {
  // The hub isolated, then a half/half split, at the challenge's rate and latency.
  SimCluster c(25, {}, {}, 100, 21);
  std::set<int> half;
  for (int i = 0; i < 25; i += 2) half.insert(i);
  SetRun run = drive(c, 12'000, 100.0, false, 13, {{2000, {0}}, {6000, {}}, {7000, half}, {12000, {}}});
  c.heal();
  step(c, run, c.now_ms() + 10'000, false);
  size_t missing = 0;
  int64_t last = 0;
  for (auto& [v, t] : run.acked_at) {
    missing += run.everywhere_at.count(v) == 0;
    if (run.everywhere_at.count(v)) last = std::max(last, run.everywhere_at[v]);
  }
  std::cout << "25 nodes with partitions: last value everywhere at " << last << " ms (healed at 12000 ms)\n";
  EXPECT_EQ(missing, 0u);
  EXPECT_LT(last, 22'000);
}

TEST(BroadcastSim, NoGossipFaultDiverges) {
  Faults f;
  f.no_gossip = true;
  expect_converged(false, f, false);
}

TEST(GSetSim, ConvergesAfterPartitionsHeal) { expect_converged(true, {}, true); }

TEST(GSetSim, LoseAddsFaultLosesAcknowledgedElements) {
  Faults f;
  f.lose_adds = true;
  expect_converged(true, f, false);
}

}  // namespace
}  // namespace squall::gossip
