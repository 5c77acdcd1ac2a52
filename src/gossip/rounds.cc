#include "gossip/rounds.h"

#include <utility>

namespace squall::gossip {

void schedule_rounds(node::Node& node, const GossipConfig& config, Rng* rng, std::function<void()> gossip,
                     std::function<void()> anti_entropy) {
  node.every(config.gossip_ms, [gossip = std::move(gossip)](int64_t) { gossip(); });
  const int64_t first = 1 + static_cast<int64_t>(rng->below(static_cast<uint64_t>(config.anti_entropy_ms)));
  node.after(first, [&node, period = config.anti_entropy_ms, anti_entropy = std::move(anti_entropy)](int64_t) {
    anti_entropy();
    node.every(period, [anti_entropy](int64_t) { anti_entropy(); });
  });
}

}  // namespace squall::gossip
