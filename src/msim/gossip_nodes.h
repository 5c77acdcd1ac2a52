// gossip_node_factory: the NodeFactory of maelstrom_gossip's core (src/gossip), for `squall sim -w`: the same
// gossip::Server on a node::Node that the maelstrom_gossip binary runs on stdio, with the
// same --fault negative controls.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "msim/node_app.h"

namespace squall::msim {

// `faults`: maelstrom_gossip's --fault specs ("no-gossip", "crash-after=5", ...).
Result<NodeFactory> gossip_node_factory(const std::vector<std::string>& faults);

}  // namespace squall::msim
