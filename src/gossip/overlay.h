// Overlay: who a node gossips with.
//
// Squall replaces Maelstrom's suggested topology with a star: the first node of the
// init node_ids list is the hub, every other node a leaf. Any two nodes are two hops
// apart, so with batching every message costs about two batch sends per node it reaches
// (efficient), and latency is at most two hops plus two batching delays. A star alone
// does not survive the hub being partitioned away, which is why every replica also runs
// anti-entropy with random peers (`others`) and retransmits unacknowledged batches.
// Immutable after construction; thread-safe to read.
#pragma once

#include <string>
#include <vector>

namespace squall::gossip {

struct Overlay {
  std::string self;
  std::string hub;
  std::vector<std::string> neighbors;  // hub: every leaf; leaf: the hub; alone: none
  // Every node but self, in init order: a view of the node's own node_ids (which live
  // as long as its Node), not a copy, so n nodes hold n lists, not 4n (at 10,000 nodes
  // in one process, the copies alone took gigabytes).
  size_t other_count() const { return ids == nullptr || ids->empty() ? 0 : ids->size() - 1; }
  const std::string& other(size_t k) const { return (*ids)[k < self_index ? k : k + 1]; }
  const std::vector<std::string>* ids = nullptr;
  size_t self_index = 0;
};

// Precondition: `self` is node_ids[self_index] (its first appearance), and node_ids
// outlives the overlay unchanged. Taking the index (node::Node::node_index()) spares n
// nodes a scan of n ids each.
Overlay make_star(const std::string& self, const std::vector<std::string>& node_ids, size_t self_index);

}  // namespace squall::gossip
