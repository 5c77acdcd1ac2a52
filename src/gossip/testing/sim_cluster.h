// SimCluster: a deterministic in-process network of maelstrom_gossip nodes for unit
// tests of the gossip workloads, with seeded latency, partitions, message accounting and
// the real built-in services (src/services) answering the requests nodes send them.
//
// Test-only code: gossip depends on services here and nowhere in shipped code. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/rng.h"
#include "gossip/server.h"
#include "node/node.h"
#include "services/service.h"

namespace squall::gossip::testing {

struct ClientReply {
  int node;
  int64_t time_ms;
  std::string body;
};

class SimCluster {
 public:
  SimCluster(int nodes, GossipConfig config = {}, Faults faults = {}, int64_t latency_ms = 100, uint64_t seed = 1);

  std::string id(int i) const { return "n" + std::to_string(i); }
  int size() const { return static_cast<int>(nodes_.size()); }
  Server& server(int i) { return *servers_[static_cast<size_t>(i)]; }
  int64_t now_ms() const { return now_ms_; }

  // A client request to node i, delivered at the current time (clients have zero
  // latency, as in Maelstrom). Its reply lands in replies(). Returns the msg_id given.
  int64_t request(int i, const std::string& body_json);
  // Runs the network until `t_ms`.
  void run_until(int64_t t_ms);
  // Drops node<->node messages between the two groups until heal().
  void partition(const std::set<int>& side_a);
  void heal() { cut_.clear(); }
  // Constant latency instead of uniform on [0, 2×latency].
  void set_constant_latency(bool on) { constant_latency_ = on; }

  const std::vector<ClientReply>& replies() const { return replies_; }
  // Server traffic so far: node<->node and node<->service messages sent.
  uint64_t server_messages() const { return server_messages_; }
  uint64_t client_requests() const { return client_requests_; }

 private:
  struct Event {
    int64_t time_ms;
    uint64_t seq;
    std::string dest;
    std::string line;
    bool operator>(const Event& o) const { return std::tie(time_ms, seq) > std::tie(o.time_ms, o.seq); }
  };
  void flush(int i);
  int64_t latency();
  int index_of(const std::string& id) const;
  void deliver(const Event& e);

  std::vector<std::unique_ptr<node::Node>> nodes_;
  std::vector<std::unique_ptr<Server>> servers_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::set<std::pair<int, int>> cut_;
  std::vector<ClientReply> replies_;
  // The built-in services (lin-kv, seq-kv, lww-kv, lin-tso), made on first use.
  std::map<std::string, std::unique_ptr<services::Service>> services_;
  uint64_t seed_;
  Rng rng_;
  int64_t latency_ms_;
  bool constant_latency_ = false;
  int64_t now_ms_ = 0;
  uint64_t seq_ = 0;
  uint64_t server_messages_ = 0;
  uint64_t client_requests_ = 0;
  int64_t client_msg_id_ = 1000;
};

}  // namespace squall::gossip::testing
