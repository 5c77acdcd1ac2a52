// maelstrom_gossip: Squall's gossip node for the Maelstrom workloads (echo, unique-ids,
// broadcast, g-set, g-counter, pn-counter, lin-kv, kafka). Thin main: parses flags and
// runs gossip::Server on the stdio driver.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "gossip/faults.h"
#include "gossip/server.h"
#include "node/node.h"
#include "node/stdio_driver.h"

namespace {

const char* kDescription =
    "maelstrom_gossip: a Maelstrom node serving echo, unique-ids, broadcast, g-set, g-counter,\n"
    "pn-counter, lin-kv (proxied to the lin-kv service) and kafka (offsets via lin-kv).\n"
    "It speaks JSON lines on stdin/stdout and logs to stderr; the workload is recognised\n"
    "from the messages, so no flag is needed. Example:\n"
    "  squall test -w broadcast --bin build/maelstrom_gossip --node-count 25 --rate 100 --latency 100\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace squall;
  CLI::App app(kDescription, "maelstrom_gossip");
  gossip::GossipConfig config;
  std::vector<std::string> faults;
  app.add_option("--workload", config.workload,
                 "pin the meaning of read/add: broadcast, g-set, g-counter or pn-counter (default: inferred)");
  app.add_option("--gossip-ms", config.gossip_ms, "interval between gossip batches to a peer")
      ->check(CLI::Range(1, 60'000))
      ->capture_default_str();
  app.add_option("--anti-entropy-ms", config.anti_entropy_ms, "interval between anti-entropy rounds")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  app.add_option("--seed", config.seed, "seed of the peer choices (mixed with the node id)")->capture_default_str();
  app.add_option("--fault", faults, "negative control (repeatable; never on by default):\n" + gossip::faults_help());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (Status s = gossip::validate_workload(config.workload); !s) {
    std::cerr << "maelstrom_gossip: " << s.error() << "\n";
    return 2;
  }
  gossip::Faults f;
  for (const std::string& spec : faults) {
    if (Status s = gossip::apply_fault(spec, &f); !s) {
      std::cerr << "maelstrom_gossip: " << s.error();
      if (s.error().back() != '\n') std::cerr << "\n";
      return 2;
    }
  }
  node::Node n;
  gossip::Server server(n, config, f);
  node::StdioOptions opt;
  opt.garbage_line_once = f.garbage_line;
  opt.crash_after_messages = f.crash_after;
  opt.log_prefix = "maelstrom_gossip: ";
  if (f.any()) std::cerr << "maelstrom_gossip: FAULTS ACTIVE — this node is deliberately broken\n";
  SteadyClock clock;
  return node::run_stdio(n, clock, opt);
}
