// Echo and UniqueIds: the two stateless-ish Maelstrom workloads.
//
// echo{echo} → echo_ok{echo}, the value returned as received.
// generate{} → generate_ok{id}: ids are "<node id>-<counter>", unique without any
// coordination (node ids are unique, each node's counter only grows), so generation is
// totally available under partitions. The duplicate-ids fault hands each id out twice.
// Both register their handlers on construction. Not thread-safe.
#pragma once

#include <cstdint>

#include "gossip/faults.h"
#include "node/node.h"

namespace squall::gossip {

class Echo {
 public:
  explicit Echo(node::Node& node);

 private:
  node::Node& node_;
};

class UniqueIds {
 public:
  UniqueIds(node::Node& node, const Faults& faults);

 private:
  node::Node& node_;
  const Faults& faults_;
  uint64_t issued_ = 0;
};

}  // namespace squall::gossip
