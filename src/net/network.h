// Network: the simulated network every Maelstrom message passes through.
//
// Endpoints are servers (the nodes under test), services (lin-kv and friends) and
// clients (the harness's workers). A send is given a deadline: now for anything to or
// from a client, now + a latency sample for server/service traffic. Messages are
// delivered in deadline order (ties in send order), which gives each destination its
// messages in deadline order. Partitions are a set of blocked (src, dest) server pairs
// and drop node-to-node messages only; services and clients are never partitioned.
//
// The network holds message lines as opaque bytes: it never parses or re-encodes them.
// A message bound for a client or a service also carries the sender's line as parsed by
// the router (the one parse; see proto/message.h), since those ends read the body.
// `src` is always the endpoint that physically sent the message: partitions and latency
// follow it, whatever "src" the line itself names.
// Not thread-safe: the harness's event loop owns it. Limits: at most max_in_flight
// queued messages (further sends are refused and counted), journal capped as documented
// in journal.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "net/journal.h"
#include "net/latency.h"
#include "proto/message.h"

namespace squall::net {

enum class EndpointKind : uint8_t { kServer, kService, kClient };

struct NetworkOptions {
  LatencyDist dist = LatencyDist::kConstant;
  double latency_ms = 0;
  size_t max_in_flight = 1u << 21;
  size_t journal_limit = 1u << 21;
};

struct Delivery {
  int src = -1;
  int dest = -1;
  int64_t msg_id = 0;
  int64_t deadline_ns = 0;
  std::string line;                               // the full line to hand to the destination (no newline)
  std::unique_ptr<const proto::Message> message;  // the parsed line, when the destination reads it
};

enum class SendResult { kQueued, kDropped, kOverflow };

class Network {
 public:
  Network(NetworkOptions options, Rng rng);

  // Registers an endpoint; returns its index. Names are unique (asserted).
  int add_endpoint(std::string name, EndpointKind kind);
  std::optional<int> find(std::string_view name) const;
  const std::string& name(int endpoint) const { return endpoints_.at(static_cast<size_t>(endpoint)).name; }
  EndpointKind kind(int endpoint) const { return endpoints_.at(static_cast<size_t>(endpoint)).kind; }
  size_t endpoint_count() const { return endpoints_.size(); }

  // Replaces the partition: messages from src to dest are dropped for every
  // (src, dest) pair given; both must be servers.
  void set_partition(const std::vector<std::pair<int, int>>& blocked_src_dest);
  void heal();
  bool partitioned() const { return blocked_count_ > 0; }
  bool blocked(int src, int dest) const;

  // Queues a message. `line` is the complete line for the destination; `message`, when
  // given, travels with it unread.
  SendResult send(int src, int dest, int64_t msg_id, std::string line, int64_t now_ns,
                  std::unique_ptr<const proto::Message> message = nullptr);

  // Earliest queued deadline, or INT64_MAX when nothing is queued.
  int64_t next_deadline_ns() const;
  // Pops the earliest message if its deadline is <= now_ns and records its receipt.
  bool pop_due(int64_t now_ns, Delivery* out);
  size_t in_flight() const { return heap_.size(); }

  const Journal& journal() const { return journal_; }
  const NetworkOptions& options() const { return options_; }

 private:
  struct Endpoint {
    std::string name;
    EndpointKind kind;
    int server_index;  // -1 unless a server
  };
  struct Slot {
    int64_t deadline_ns;
    uint64_t seq;
    Delivery delivery;
  };
  static bool later(const Slot& a, const Slot& b) {
    return a.deadline_ns != b.deadline_ns ? a.deadline_ns > b.deadline_ns : a.seq > b.seq;
  }
  bool client_involved(int a, int b) const {
    return kind(a) == EndpointKind::kClient || kind(b) == EndpointKind::kClient;
  }

  NetworkOptions options_;
  Rng rng_;
  std::vector<Endpoint> endpoints_;
  std::map<std::string, int, std::less<>> by_name_;
  int server_count_ = 0;
  std::vector<uint8_t> blocked_;  // server_count_^2, row = src server, column = dest server
  size_t blocked_count_ = 0;
  std::vector<Slot> heap_;
  uint64_t next_seq_ = 0;
  Journal journal_;
};

}  // namespace squall::net
