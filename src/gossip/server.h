// Server: every Maelstrom workload maelstrom_gossip serves, on one Node.
//
// One binary serves all workloads by dispatching on the message type: echo, generate,
// topology/broadcast, add, read, write/cas, send/poll/commit_offsets/
// list_committed_offsets. Two types are shared:
//   add  — with "element": g-set; with "delta": g-counter / pn-counter.
//   read — with "key": lin-kv. Otherwise the workload this node has seen: broadcast
//          (topology/broadcast), g-set (add element) or counter (add delta), learned
//          from clients or from peers' gossip. A read before any of these gets error 11
//          (temporarily unavailable — definite, and reads are idempotent, so harmless);
//          GossipConfig::workload pins the answer instead.
// Topology: the topology message is acknowledged but replaced by a star overlay with
// anti-entropy (see overlay.h). g-counter and pn-counter are state-based CRDTs merged by
// gossip (not built on seq-kv), so they stay available under partitions.
// txn: a transaction with a w micro-op is txn-rw-register (TxnRegister: totally available,
// read committed), one with an append is txn-list-append (TxnListAppend: strict
// serializable on lin-kv); a read-only transaction goes where the node's earlier
// transactions or its peers' gossip went, and to TxnListAppend when nothing was seen
// yet (an empty database answers null either way).
// Not thread-safe; lives as long as its Node.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gossip/basic_workloads.h"
#include "gossip/config.h"
#include "gossip/counter_replica.h"
#include "gossip/faults.h"
#include "gossip/kafka.h"
#include "gossip/lin_kv_proxy.h"
#include "gossip/set_replica.h"
#include "gossip/txn_list_append.h"
#include "gossip/txn_register.h"
#include "node/node.h"

namespace squall::gossip {

class Server {
 public:
  enum class Mode { kUnknown, kBroadcast, kGSet, kCounter };

  // Registers every handler on `node`. Precondition: config.workload is empty or one
  // of the names in GossipConfig (checked by validate_workload()).
  Server(node::Node& node, GossipConfig config, Faults faults);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Mode mode() const;
  const SetReplica& broadcast() const { return broadcast_; }
  const SetReplica& gset() const { return gset_; }
  const CounterReplica& counter() const { return counter_; }
  const Kafka& kafka() const { return kafka_; }
  // Called for every element new to this node's broadcast or g-set replica (from a
  // client or a peer), as it is learned: lets a simulator trace each element's hops.
  void on_new_element(const std::function<void(std::string_view json)>& fn) {
    broadcast_.on_new(fn);
    gset_.on_new(fn);
  }

 private:
  void handle_topology(const node::Request& req);
  void handle_broadcast(const node::Request& req);
  void handle_add(const node::Request& req);
  void handle_read(const node::Request& req);
  void handle_txn(const node::Request& req);
  // lose-adds fault: true for every third add.
  bool drop_this_add();

  node::Node& node_;
  GossipConfig config_;
  Faults faults_;
  Mode mode_ = Mode::kUnknown;
  Mode pinned_ = Mode::kUnknown;
  uint64_t adds_ = 0;
  Echo echo_;
  UniqueIds ids_;
  SetReplica broadcast_;
  SetReplica gset_;
  CounterReplica counter_;
  LinKvProxy lin_kv_;
  Kafka kafka_;
  TxnRegister txn_register_;
  TxnListAppend txn_list_append_;
  enum class TxnMode { kUnknown, kRegister, kListAppend } txn_mode_ = TxnMode::kUnknown;
};

// Status of a --workload pin: empty or broadcast, g-set, g-counter, pn-counter.
Status validate_workload(const std::string& name);

}  // namespace squall::gossip
