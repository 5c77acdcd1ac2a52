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
  std::vector<std::string> others;     // every node but self, in init order
};

// Precondition: `self` is in `node_ids`.
Overlay make_star(const std::string& self, const std::vector<std::string>& node_ids);

}  // namespace squall::gossip
