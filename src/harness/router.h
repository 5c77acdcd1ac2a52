// Router: the run's network and the processes and services on it.
//
// It starts the node processes (see NodeProcess, DescendantGuard), reads their output,
// parses each stdout line once (proto::parse_envelope), routes it by its "dest" with
// its "src" as written (a node may forward a client's request keeping the client's src),
// queues it in the simulated network under the physical sender's partitions and
// latency, and writes it to the destination at its deadline; services (lin-kv, seq-kv,
// lww-kv, lin-tso) answer inside the router. Messages for clients go up to its owner
// (RouterEvents) with the parsed message attached. Bad node output, crashes and protocol
// violations are recorded and counted, never fatal. It knows nothing of workloads, ops
// or phases: cluster mode reuses it with other clients on top. Not thread-safe.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "harness/client_network.h"
#include "harness/descendant_guard.h"
#include "harness/event_loop.h"
#include "harness/process.h"
#include "harness/protocol_error.h"
#include "harness/stdin_budget.h"
#include "harness/store.h"
#include "net/network.h"
#include "proto/message.h"
#include "viz/message_labels.h"

namespace squall::services {
class Service;
}

namespace squall::harness {

struct NodeCrash {
  int64_t t_ns = 0;
  std::string node;
  std::string status;  // "exit status 1", "killed by signal 11 (...)"
  std::vector<std::string> stderr_tail;
};

struct RouterOptions {
  std::vector<std::string> node_names;  // servers occupy endpoints 0 .. n-1 in this order
  std::string bin;                      // the node binary and its arguments
  std::vector<std::string> args;
  bool log_stderr = false;    // echo node stderr to the console
  bool log_net_send = false;  // one jepsen.log line per message sent
  bool log_net_recv = false;  // one jepsen.log line per message delivered
  bool status_line = false;   // the console has a live status line to clear first
  uint64_t seed = 0;          // forks the network's and the services' randomness
  net::NetworkOptions net;
  int64_t diagram_messages = 0;  // how many message bodies are kept (messages.svg, messages.tsv)
};

// What the router hands to its owner.
class RouterEvents {
 public:
  virtual ~RouterEvents() = default;
  // A message for the client at endpoint d.dest, parsed (d.message is set).
  virtual void on_client_message(const net::Delivery& d, int64_t now) = 0;
  // A node's line bound for client endpoint `client` broke the protocol: the request it
  // answers (if the client still waits for it) cannot be read.
  virtual void on_broken_reply(int client, int64_t in_reply_to, ProtocolErrorKind kind, const std::string& detail,
                               int64_t now) = 0;
  // Node `node` exited or closed its stdout (recorded in crashes()).
  virtual void on_node_stopped(int node, const NodeCrash& crash) = 0;
  // A line for jepsen.log and the console.
  virtual void note(const std::string& line) = 0;
};

class Router final : public ClientNetwork {
 public:
  // Creates the network (nodes, then the four services) and the descendant guard.
  static Result<std::unique_ptr<Router>> create(RouterOptions options, Store& store, EventLoop& loop,
                                                const Clock& clock, RouterEvents& events);
  ~Router() override;  // kills and reaps any node still running
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Starts every node; fails if the binary cannot be executed.
  Status start_nodes();
  // Adds a client endpoint named `name`; returns its endpoint index.
  int add_client(const std::string& name) override;
  // Sends `body` (which carries its msg_id) from client endpoint `client` to node `node`.
  void send_from_client(int client, int node, std::string_view body, int64_t now) override;

  // Delivers up to *budget due messages (and decrements it).
  void deliver_due(int64_t now, size_t* budget);
  // Writes what the step queued for the nodes' stdin.
  void flush_nodes();
  // Handles a loop event whose tag is the router's; false if the tag is not.
  bool on_io(const epoll_event& ev);
  // Reports nodes whose stdout closed: at once once `final` (the run is over), else after
  // a grace period for the exit.
  void check_exits(bool final);
  // Periodic chores: reap orphans the nodes left that have exited.
  void tidy();
  // At the end: a node that already exited counts as closed at `end_ns`.
  void note_exited_nodes(int64_t end_ns);
  // Kills and reaps the nodes and whatever they left behind.
  void stop_nodes();
  // The nemesis's process faults. kill_node: SIGKILL and reap; until restart_node starts
  // the binary again (the caller sends init), messages to the node are dropped.
  // pause_node / resume_node: SIGSTOP / SIGCONT; messages wait in its stdin pipe.
  void kill_node(int node);
  Status restart_node(int node);
  void pause_node(int node);
  void resume_node(int node);
  bool down(int node) const { return down_[static_cast<size_t>(node)]; }
  bool paused(int node) const { return paused_[static_cast<size_t>(node)]; }
  int64_t next_deadline_ns() const { return net_->next_deadline_ns(); }

  void protocol_error(int endpoint, ProtocolErrorKind kind, const std::string& detail, std::string_view line) override;

  net::Network& network() { return *net_; }
  const net::Network& network() const { return *net_; }
  const std::vector<std::string>& node_names() const override { return options_.node_names; }
  int node_count() const override { return static_cast<int>(options_.node_names.size()); }
  const std::string& endpoint_name(int endpoint) const override { return net_->name(endpoint); }
  bool alive(int node) const { return node_alive_[static_cast<size_t>(node)]; }
  const std::vector<bool>& nodes_alive() const { return node_alive_; }
  const viz::MessageLabels& message_labels() const { return message_labels_; }
  const std::map<std::string, int64_t>& error_counts() const { return error_counts_; }
  const std::vector<ProtocolError>& error_examples() const { return error_examples_; }
  const std::vector<NodeCrash>& crashes() const { return crashes_; }
  const std::vector<LeftoverProcess>& leftovers() const { return leftovers_; }
  int64_t lines_from_nodes() const { return lines_from_nodes_; }
  int64_t to_dead_nodes() const { return to_dead_nodes_; }
  int64_t to_down_nodes() const { return to_down_nodes_; }

 private:
  Router(RouterOptions options, Store& store, EventLoop& loop, const Clock& clock, RouterEvents& events);
  Status spawn_node(size_t i);
  void on_node_line(int node, std::string_view line);
  void on_node_eof(int node);
  void on_bad_line(int node, const proto::LineError& e, std::string_view line);
  void reply_failed(std::string_view dest, std::optional<int64_t> in_reply_to, ProtocolErrorKind kind,
                    const std::string& detail, int64_t now);
  void deliver(net::Delivery& d, int64_t now);
  void deliver_to_service(net::Delivery& d, int64_t now);
  void route(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
             int64_t now);
  void route_node_message(int node, int dest, std::unique_ptr<const proto::Message> message, std::string_view line,
                          int64_t now);
  // --log-net-send / --log-net-recv: one jepsen.log line per message sent or delivered.
  void log_net(bool enabled, const char* what, int src, int dest, std::string_view line);

  RouterOptions options_;
  Store& store_;
  EventLoop& loop_;
  const Clock& clock_;
  RouterEvents& events_;
  std::unique_ptr<net::Network> net_;
  int64_t next_net_id_ = 1;
  viz::MessageLabels message_labels_;       // bodies of the messages messages.svg draws
  StdinBudget stdin_budget_;                // shared by procs_, so declared before them
  std::unique_ptr<DescendantGuard> guard_;  // outlives procs_
  std::vector<std::unique_ptr<NodeProcess>> procs_;
  std::vector<bool> node_alive_;
  std::vector<bool> stdout_open_;
  std::vector<int64_t> stdout_eof_ns_;      // when each node's stdout closed, or -1
  std::vector<int> dirty_nodes_;            // nodes with queued stdin bytes to flush
  std::vector<LeftoverProcess> leftovers_;  // still running after the nodes were reaped
  std::map<std::string, std::unique_ptr<services::Service>, std::less<>> services_;
  int64_t lines_from_nodes_ = 0;
  int64_t to_dead_nodes_ = 0;
  int64_t to_down_nodes_ = 0;
  std::vector<bool> down_;        // killed by the nemesis, not yet restarted
  std::vector<bool> paused_;      // stopped by the nemesis
  std::vector<int> incarnation_;  // restarts so far
  std::map<std::string, int64_t> error_counts_;
  std::vector<ProtocolError> error_examples_;
  std::vector<NodeCrash> crashes_;
};

}  // namespace squall::harness
