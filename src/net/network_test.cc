#include "net/network.h"

#include <gtest/gtest.h>

namespace squall::net {
namespace {

struct Fixture {
  Network net;
  int n0, n1, n2, svc, c0;
  explicit Fixture(NetworkOptions o = {}) : net(o, Rng(1)) {
    n0 = net.add_endpoint("n0", EndpointKind::kServer);
    n1 = net.add_endpoint("n1", EndpointKind::kServer);
    n2 = net.add_endpoint("n2", EndpointKind::kServer);
    svc = net.add_endpoint("lin-kv", EndpointKind::kService);
    c0 = net.add_endpoint("c0", EndpointKind::kClient);
  }
};

TEST(Network, DeliversInDeadlineOrderAndClientsHaveNoLatency) {
  NetworkOptions o;
  o.dist = LatencyDist::kUniform;
  o.latency_ms = 50;
  Fixture f(o);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(f.net.send(f.n0, f.n1, i, "m" + std::to_string(i), 1000), SendResult::kQueued);
  }
  ASSERT_EQ(f.net.send(f.c0, f.n2, 999, "client", 1000), SendResult::kQueued);
  Delivery d;
  ASSERT_TRUE(f.net.pop_due(1000, &d));
  EXPECT_EQ(d.line, "client");  // zero latency: due immediately
  int64_t last = 0;
  int count = 0;
  bool reordered = false;
  int64_t prev_id = -1;
  while (f.net.pop_due(INT64_MAX - 1, &d)) {
    EXPECT_GE(d.deadline_ns, last);
    last = d.deadline_ns;
    if (d.msg_id < prev_id) reordered = true;
    prev_id = d.msg_id;
    ++count;
  }
  EXPECT_EQ(count, 200);
  EXPECT_TRUE(reordered) << "uniform latency should reorder some messages";
  EXPECT_EQ(f.net.next_deadline_ns(), INT64_MAX);
}

TEST(Network, NotDueBeforeDeadline) {
  NetworkOptions o;
  o.latency_ms = 10;
  Fixture f(o);
  f.net.send(f.n0, f.n1, 1, "x", 0);
  Delivery d;
  EXPECT_FALSE(f.net.pop_due(9'999'999, &d));
  EXPECT_EQ(f.net.next_deadline_ns(), 10'000'000);
  EXPECT_TRUE(f.net.pop_due(10'000'000, &d));
}

TEST(Network, PartitionsDropNodeToNodeOnly) {
  Fixture f;
  f.net.set_partition({{f.n0, f.n1}});
  EXPECT_EQ(f.net.send(f.n0, f.n1, 1, "x", 0), SendResult::kDropped);
  EXPECT_EQ(f.net.send(f.n1, f.n0, 2, "x", 0), SendResult::kQueued);  // one direction only
  EXPECT_EQ(f.net.send(f.n0, f.svc, 3, "x", 0), SendResult::kQueued);
  EXPECT_EQ(f.net.send(f.c0, f.n1, 4, "x", 0), SendResult::kQueued);
  EXPECT_TRUE(f.net.partitioned());
  f.net.heal();
  EXPECT_EQ(f.net.send(f.n0, f.n1, 5, "x", 0), SendResult::kQueued);
  EXPECT_EQ(f.net.journal().stats().dropped_partition, 1);
}

TEST(Network, StatsSplitClientsAndServers) {
  Fixture f;
  f.net.send(f.c0, f.n0, 1, "a", 0);
  f.net.send(f.n0, f.n1, 2, "b", 0);
  f.net.send(f.n0, f.svc, 3, "c", 0);
  Delivery d;
  while (f.net.pop_due(0, &d)) {
  }
  const NetStats& s = f.net.journal().stats();
  EXPECT_EQ(s.all.send_count, 3);
  EXPECT_EQ(s.all.recv_count, 3);
  EXPECT_EQ(s.clients.msg_count, 1);
  EXPECT_EQ(s.servers.msg_count, 2);
  EXPECT_EQ(f.net.journal().entries().size(), 6u);
}

TEST(Network, LimitsInFlight) {
  NetworkOptions o;
  o.max_in_flight = 2;
  o.journal_limit = 1;
  Fixture f(o);
  EXPECT_EQ(f.net.send(f.n0, f.n1, 1, "x", 0), SendResult::kQueued);
  EXPECT_EQ(f.net.send(f.n0, f.n1, 2, "x", 0), SendResult::kQueued);
  EXPECT_EQ(f.net.send(f.n0, f.n1, 3, "x", 0), SendResult::kOverflow);
  EXPECT_EQ(f.net.journal().stats().dropped_overflow, 1);
  EXPECT_TRUE(f.net.journal().truncated());
}

}  // namespace
}  // namespace squall::net
