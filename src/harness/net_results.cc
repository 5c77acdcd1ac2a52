#include "harness/net_results.h"

namespace squall::harness {
namespace {

using history::Value;

Value counts(const net::TrafficCounts& c) {
  Value m = Value::array_map();
  m.set("send-count", c.send_count);
  m.set("recv-count", c.recv_count);
  m.set("msg-count", c.msg_count);
  return m;
}

}  // namespace

Value net_results_map(const net::NetStats& s, int64_t ops) {
  Value m = Value::array_map();
  m.set("all", counts(s.all));
  m.set("clients", counts(s.clients));
  Value servers = counts(s.servers);
  servers.set("msgs-per-op", ops > 0 ? static_cast<double>(s.servers.msg_count) / static_cast<double>(ops) : 0.0);
  m.set("servers", std::move(servers));
  m.set("dropped-by-partition", s.dropped_partition);
  m.set("dropped-network-full", s.dropped_overflow);
  return m;
}

}  // namespace squall::harness
