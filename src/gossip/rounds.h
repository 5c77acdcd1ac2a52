// schedule_rounds: the timers every gossiping replica runs.
//
// A gossip round every gossip_ms, and a full anti-entropy round every anti_entropy_ms
// whose first firing is delayed by a random 1..anti_entropy_ms, so that nodes started
// together do not sync in lockstep. One draw from `rng`. Not thread-safe (like Node).
#pragma once

#include <functional>

#include "core/rng.h"
#include "gossip/config.h"
#include "node/node.h"

namespace squall::gossip {

void schedule_rounds(node::Node& node, const GossipConfig& config, Rng* rng, std::function<void()> gossip,
                     std::function<void()> anti_entropy);

}  // namespace squall::gossip
