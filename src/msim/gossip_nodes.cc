#include "msim/gossip_nodes.h"

#include <memory>

#include "gossip/faults.h"
#include "gossip/server.h"
#include "node/node.h"

namespace squall::msim {
namespace {

class GossipApp final : public NodeApp {
 public:
  GossipApp(gossip::GossipConfig config, const gossip::Faults& faults) : server_(node_, std::move(config), faults) {}
  node::Node& node() override { return node_; }
  void on_new_element(const std::function<void(std::string_view)>& fn) override { server_.on_new_element(fn); }

 private:
  node::Node node_;  // before server_, which registers on it
  gossip::Server server_;
};

}  // namespace

Result<NodeFactory> gossip_node_factory(const std::vector<std::string>& specs) {
  gossip::Faults faults;
  std::string args;
  for (const auto& s : specs) {
    if (auto st = gossip::apply_fault(s, &faults); !st.ok()) return err(st.error());
    args += " --fault " + s;
  }
  NodeFactory f;
  f.io.garbage_line_once = faults.garbage_line;
  f.io.crash_after_messages = faults.crash_after;
  f.description = "maelstrom_gossip core";
  f.replay_args = args;
  f.make = [faults](int index, uint64_t seed) -> std::unique_ptr<NodeApp> {
    (void)index;
    gossip::GossipConfig config;
    config.seed = seed;  // mixed with the node id inside, as in the binary's --seed
    return std::make_unique<GossipApp>(config, faults);
  };
  return f;
}

}  // namespace squall::msim
