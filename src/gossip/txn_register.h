// TxnRegister: txn-rw-register served totally available at read committed, like the
// Gossip Glomers challenge 6c.
//
// Every node executes a transaction at once on its own copy of the registers and
// answers without talking to anyone, so partitions never block it. A transaction's
// writes (only its last write of each key: nobody may see an intermediate value, G1b)
// become one gossip element [ts, node, [[k, v] ...]] replicated by a SetReplica; every
// node applies an element as a whole (so a reader sees all of a transaction's writes or
// none of them) and keeps, per key, the write with the highest (ts, node), where ts is
// a Lamport clock. Since a transaction only ever observes transactions that finished
// before it started, write-read and write-write dependencies follow causality and
// cannot form a cycle (no G1c); nothing aborts after its writes are visible (no G1a).
// Reads inside a transaction see its own earlier writes.
// Fault txn-aborted-read: every third writing transaction is answered with error 30
// (txn-conflict, a definite abort) although its writes were published: reads of them
// are G1a.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gossip/config.h"
#include "gossip/faults.h"
#include "gossip/set_replica.h"
#include "node/node.h"

namespace squall::gossip {

class TxnRegister {
 public:
  TxnRegister(node::Node& node, const GossipConfig& config, const Faults& faults);
  TxnRegister(const TxnRegister&) = delete;
  TxnRegister& operator=(const TxnRegister&) = delete;

  void handle(const node::Request& req);
  // True once this node has seen a transaction of this workload (its own or gossiped).
  bool touched() const { return replica_.touched(); }
  // The current value of `key_json` on this node ("null" when never written).
  std::string value(const std::string& key_json) const;

 private:
  struct Version {
    int64_t ts = 0;
    std::string node;
    std::string value;  // JSON text
  };
  void apply(std::string_view element_json);

  node::Node& node_;
  const Faults& faults_;
  SetReplica replica_;
  std::map<std::string, Version> registers_;  // key JSON -> newest version
  int64_t clock_ = 0;
  uint64_t writing_txns_ = 0;
};

}  // namespace squall::gossip
