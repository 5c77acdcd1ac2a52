// CounterReplica: replicates a PnCounter to every node — the engine of g-counter and
// pn-counter.
//
// State-based: every gossip_ms each overlay neighbour whose known state does not already
// cover ours gets our whole state ("ctr_state", an RPC; states are a few entries per
// node). What a neighbour is known to hold is the merge of every state it sent us and
// every state it acknowledged, so a merged state is not echoed back to where it came
// from. Unacknowledged sends are retried with backoff; every anti_entropy_ms the state is
// also pushed (one-way) to one random node, which heals a partitioned-away hub.
// Not thread-safe; lives as long as its Node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "gossip/config.h"
#include "gossip/faults.h"
#include "gossip/overlay.h"
#include "gossip/pn_counter.h"
#include "gossip/set_replica.h"
#include "node/node.h"

namespace squall::gossip {

class CounterReplica {
 public:
  // Registers "ctr_state" on `node` right away.
  CounterReplica(node::Node& node, const GossipConfig& config, const Faults& faults);
  CounterReplica(const CounterReplica&) = delete;
  CounterReplica& operator=(const CounterReplica&) = delete;

  // Applies a client's add on this node; false when the total would overflow int64.
  bool add_local(int64_t delta);
  int64_t value() const { return state_.value(); }
  const PnCounter& state() const { return state_; }
  bool touched() const { return touched_; }
  const ReplicaStats& stats() const { return stats_; }

 private:
  struct Peer {
    std::string id;
    PnCounter known;  // a lower bound of the peer's state
    bool in_flight = false;
    int64_t rto_ms;
  };

  void start(int64_t now_ms);
  void gossip_tick();
  void anti_entropy_tick();
  void write_state(proto::BodyWriter& w) const;
  void handle_state(const node::Request& req);

  node::Node& node_;
  const GossipConfig& config_;
  const Faults& faults_;
  PnCounter state_;
  bool touched_ = false;
  Overlay overlay_;
  std::vector<Peer> peers_;
  Rng rng_{0};
  ReplicaStats stats_;
};

}  // namespace squall::gossip
