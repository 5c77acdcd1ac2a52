// Conduct: the simulator's check of each worker's own behaviour with leases, from what
// crosses the network (it never looks inside the worker core).
//
// A lease-gated request a worker sends for the first time (a new request id) must
// present a (shard, fence) that the coordinator granted to that worker, and that the
// worker has not since been told is over: a StaleFence, LeaseExpired or ShardTerminal
// answer, or a successful complete, park or split_replace. Only answers the worker
// actually received for its outstanding request count (a stale duplicate it ignores
// teaches it nothing). Re-sending the same request is allowed: that is how ambiguous
// outcomes are resolved, and the op-log makes it harmless. The coordinator rejects such
// writes anyway, so this is the one place that sees a worker that keeps going on a lost
// or never-held lease. Requests the simulator injects itself (its adversary) are
// exempt. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "coord/ops.h"

namespace squall::sim {

class Conduct {
 public:
  explicit Conduct(int nodes) : nodes_(static_cast<size_t>(nodes)) {}

  // The answer `node` received to its outstanding request `req`.
  void on_answer(int node, const coord::Request& req, const coord::Reply& reply);
  // `node` sends request `req_id`; a violation's description, if it breaks the rule.
  std::optional<std::string> on_send(int node, uint64_t req_id, const coord::Request& req);
  // Request `req_id` of `node` is the simulator's own doing: not checked.
  void exempt(int node, uint64_t req_id) { nodes_[static_cast<size_t>(node)].sent.insert(req_id); }

 private:
  using LeaseKey = std::pair<coord::ShardId, uint64_t>;
  struct Node {
    std::set<LeaseKey> granted;
    std::set<LeaseKey> over;
    std::unordered_set<uint64_t> sent;
  };
  std::vector<Node> nodes_;
};

}  // namespace squall::sim
