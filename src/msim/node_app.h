// NodeApp and NodeFactory: how `squall sim -w` builds the nodes it runs in process.
//
// A node is user code registered on a sans-IO node::Node (src/node). The very same code
// becomes a real process by handing its Node to node::run_stdio, and a simulated node by
// handing a factory to the driver here: the driver makes one NodeApp per node (and a
// fresh one on every restart after a crash, so volatile state is lost), feeds its Node
// messages and timer ticks on virtual time, and routes its outbox. `io` mirrors the
// stdio driver's negative controls (a garbage line, an abnormal exit), which are I/O
// behaviour and so live with the driver, not the node. Plain interfaces.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "node/node.h"

namespace squall::msim {

class NodeApp {
 public:
  virtual ~NodeApp() = default;
  virtual node::Node& node() = 0;
  // Optional: calls `fn` for every set element (broadcast, g-set) new to this node, at
  // the moment it is learned. Lets the driver trace each element's exact hops.
  virtual void on_new_element(const std::function<void(std::string_view json)>& fn) { (void)fn; }
};

// The stdio driver's deliberate faults, emulated by the simulator.
struct NodeIoFaults {
  bool garbage_line_once = false;     // one non-JSON output line right after init_ok
  int64_t crash_after_messages = -1;  // exit abnormally on input message N+1
};

struct NodeFactory {
  // Builds node `index`'s code; `seed` differs per node and per incarnation.
  std::function<std::unique_ptr<NodeApp>(int index, uint64_t seed)> make;
  NodeIoFaults io;
  std::string description = "in-process node";  // shown in reports ("maelstrom_gossip core")
  std::string replay_args;                      // extra flags of the replay command, e.g. " --fault no-gossip"
};

}  // namespace squall::msim
