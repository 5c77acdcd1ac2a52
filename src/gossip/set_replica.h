// SetReplica: replicates a GSet to every node — the engine of broadcast and g-set.
//
// Fast path: each new element is queued for every overlay neighbour except the one it
// came from; every gossip_ms each neighbour with queued elements gets one batch
// ("<prefix>_gossip", an RPC). An acknowledged batch is done; a batch that times out
// goes back to the queue and the neighbour's retransmission timeout doubles (up to
// retransmit_max_ms), so a partitioned neighbour costs at most one batch per tick and
// gets everything once the partition heals.
// Healing path: every anti_entropy_ms the node sends its (count, digest) to one random
// other node; a node whose digest differs answers with its full set and the first node
// sends back what the other lacks. This repairs anything the fast path missed (e.g. the
// hub partitioned away while leaves kept talking).
// Every element a node acknowledged is therefore eventually on every node once the
// network heals. Not thread-safe; lives as long as its Node.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/rng.h"
#include "gossip/config.h"
#include "gossip/faults.h"
#include "gossip/gset.h"
#include "gossip/overlay.h"
#include "node/node.h"

namespace squall::gossip {

struct ReplicaStats {
  uint64_t batches_sent = 0;
  uint64_t batches_acked = 0;
  uint64_t batches_timed_out = 0;
  uint64_t digests_sent = 0;
  uint64_t syncs_sent = 0;
};

class SetReplica {
 public:
  // `prefix` names the wire messages: "<prefix>_gossip", "<prefix>_digest",
  // "<prefix>_sync". Registers its handlers on `node` right away.
  SetReplica(node::Node& node, std::string prefix, const GossipConfig& config, const Faults& faults);
  SetReplica(const SetReplica&) = delete;
  SetReplica& operator=(const SetReplica&) = delete;

  // Adds an element a client gave this node; true when it was new.
  bool add_local(std::string_view json);
  // Called once for every element new to this replica (local or learned), in order.
  void on_new(std::function<void(std::string_view json)> fn) { on_new_ = std::move(fn); }
  const GSet& set() const { return set_; }
  // True once this replica holds an element (from a client or a peer).
  bool touched() const;
  const ReplicaStats& stats() const { return stats_; }

 private:
  struct Peer {
    std::string id;
    std::vector<uint32_t> queued;  // indices into set_.elements()
    int64_t rto_ms;
  };

  void start(int64_t now_ms);
  // Adds `json` (queueing it for every peer but `from` when new); its index in set_.
  uint32_t learn(std::string_view json, std::string_view from);
  void gossip_tick();
  void send_batch(size_t peer_index);
  void anti_entropy_tick();
  void handle_gossip(const node::Request& req);
  void handle_digest(const node::Request& req);
  void handle_sync(const node::Request& req);
  void send_sync(std::string_view dest, const std::vector<uint32_t>& indices, bool back);
  std::string type(std::string_view suffix) const { return prefix_ + std::string(suffix); }

  node::Node& node_;
  std::string prefix_;
  const GossipConfig& config_;
  const Faults& faults_;
  GSet set_;
  Overlay overlay_;
  std::vector<Peer> peers_;
  std::unordered_map<std::string, size_t> peer_index_;
  Rng rng_{0};
  ReplicaStats stats_;
  std::function<void(std::string_view)> on_new_;
};

// Writes `{"<key>": [e0, e1, …]}`-style arrays of element texts.
void write_elements(proto::BodyWriter& w, std::string_view key, const GSet& set);

}  // namespace squall::gossip
