// SimRouter: the in-process counterpart of harness::Router for `squall sim -w`.
//
// It holds the nodes (NodeApp cores on src/node, built by a NodeFactory), the built-in
// services and the clients' endpoints on one net::Network (the same network, latency
// model, partitions and journal as `squall test`), all on virtual time. It routes each
// node's outbox by dest, delivers due messages, fires each node's timers at their
// deadline (through the node's own, possibly skewed, clock) and applies the run's
// FaultMix to every node-to-node and node-to-service message. Kill and pause act on
// node cores: a killed node's core is destroyed (its memory is lost) and messages to it
// are dropped until restart() builds a new one; a paused node runs nothing and its
// messages wait for resume(). It implements harness::ClientNetwork, so the clients are
// squall test's ClientPool unchanged. Every event goes to the Trace. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "harness/client_network.h"
#include "harness/protocol_error.h"
#include "msim/exact_rounds.h"
#include "msim/faults.h"
#include "msim/node_app.h"
#include "msim/trace.h"
#include "net/network.h"

namespace squall::services {
class Service;
}

namespace squall::msim {

struct SimRouterOptions {
  std::vector<std::string> node_names;
  uint64_t seed = 0;
  net::NetworkOptions net;
  FaultMix faults;
};

struct SimCrash {
  int64_t t_ns = 0;
  std::string node;
  std::string status;
};

class SimRouterEvents {
 public:
  virtual ~SimRouterEvents() = default;
  virtual void on_client_message(const net::Delivery& d, int64_t now) = 0;
  virtual void on_node_stopped(int node, const SimCrash& crash) = 0;
};

class SimRouter final : public harness::ClientNetwork {
 public:
  SimRouter(SimRouterOptions options, NodeFactory factory, SimRouterEvents& events, Trace& trace, ExactRounds* rounds);
  ~SimRouter() override;
  SimRouter(const SimRouter&) = delete;
  SimRouter& operator=(const SimRouter&) = delete;

  void start_nodes(int64_t now);

  // harness::ClientNetwork
  int add_client(const std::string& name) override;
  void send_from_client(int client, int node, std::string_view body, int64_t now) override;
  const std::vector<std::string>& node_names() const override { return options_.node_names; }
  int node_count() const override { return static_cast<int>(options_.node_names.size()); }
  const std::string& endpoint_name(int endpoint) const override { return net_->name(endpoint); }
  void protocol_error(int endpoint, harness::ProtocolErrorKind kind, const std::string& detail,
                      std::string_view line) override;

  // The earliest instant something is due (a message or a node timer), INT64_MAX if none.
  int64_t next_event_ns() const;
  // Runs everything due at or before `now` (deliveries, timers), including what that
  // makes due at `now` in turn.
  void step(int64_t now);

  // Process faults (kill loses the node's memory; restart builds a fresh core).
  void kill(int node, int64_t now);
  void restart(int node, int64_t now);
  void pause(int node, int64_t now);
  void resume(int node, int64_t now);
  bool up(int node) const { return state_[static_cast<size_t>(node)].app != nullptr; }

  net::Network& network() { return *net_; }
  const net::Network& network() const { return *net_; }
  std::vector<bool> nodes_alive() const;
  const std::map<std::string, int64_t>& error_counts() const { return error_counts_; }
  const std::vector<harness::ProtocolError>& error_examples() const { return error_examples_; }
  const std::vector<SimCrash>& crashes() const { return crashes_; }
  int64_t to_dead_nodes() const { return to_dead_nodes_; }
  int64_t lost() const { return lost_; }
  int64_t duplicated() const { return duplicated_; }
  int64_t delayed() const { return delayed_; }
  int64_t delivered() const { return delivered_; }
  int64_t timer_firings() const { return timer_firings_; }

 private:
  struct NodeState {
    std::unique_ptr<NodeApp> app;
    bool paused = false;
    bool crashed = false;  // an emulated abnormal exit: never restarted
    int incarnation = 0;
    int64_t served = 0;
    bool garbage_done = false;
    int64_t skew_ppm = 0;  // timer rate is (1e6 + skew_ppm) / 1e6
    int64_t scheduled_ns = INT64_MAX;
    uint64_t generation = 0;
    std::deque<net::Delivery> held;  // arrived while paused
  };
  struct Wake {
    int64_t t_ns;
    int node;
    uint64_t generation;
    bool operator>(const Wake& o) const {
      return t_ns != o.t_ns ? t_ns > o.t_ns : node != o.node ? node > o.node : generation > o.generation;
    }
  };

  void make_app(int node);
  int64_t local_ms(int node, int64_t now) const;
  int64_t global_ns(int node, int64_t local_deadline_ms) const;
  void schedule(int node);
  void feed(int node, const net::Delivery& d, int64_t now);
  void fire(int node, int64_t now);
  void after_input(int node, int64_t now);
  void route_from_node(int node, const node::Outgoing& out, int64_t now);
  void send(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
            int64_t now);
  void enqueue(int src, int dest, int64_t id, std::string line, int64_t now);
  void deliver(net::Delivery& d, int64_t now);
  void deliver_to_service(net::Delivery& d, int64_t now);
  void crash(int node, std::string status, int64_t now);

  SimRouterOptions options_;
  NodeFactory factory_;
  SimRouterEvents& events_;
  Trace& trace_;
  ExactRounds* rounds_;
  Rng rng_faults_;
  std::unique_ptr<net::Network> net_;
  std::vector<NodeState> state_;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<>> wakes_;
  std::map<std::string, std::unique_ptr<services::Service>, std::less<>> services_;
  std::vector<node::Outgoing> outbox_scratch_;  // after_input's, kept for its capacity
  int64_t next_net_id_ = 1;
  int learning_node_ = -1;  // node whose input is being handled (exact rounds)
  int learning_from_ = -1;  // the server that sent that input, or -1
  int64_t current_ns_ = 0;
  std::map<std::string, int64_t> error_counts_;
  std::vector<harness::ProtocolError> error_examples_;
  std::vector<SimCrash> crashes_;
  int64_t to_dead_nodes_ = 0, lost_ = 0, duplicated_ = 0, delayed_ = 0, delivered_ = 0, timer_firings_ = 0;
};

}  // namespace squall::msim
