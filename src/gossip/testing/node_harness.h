// NodeHarness: one maelstrom_gossip node in process, initialised as `self` among `ids`,
// for unit tests of the gossip workloads. Bodies in as JSON text, "dest body" strings
// out. Test-only code. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gossip/server.h"
#include "node/node.h"

namespace squall::gossip::testing {

class NodeHarness {
 public:
  explicit NodeHarness(GossipConfig config = {}, Faults faults = {}, std::string self = "n0",
                       std::vector<std::string> ids = {"n0"});

  // Delivers `body_json` from `src` at time `now_ms` and returns everything the node
  // sent in response, as "dest body".
  std::vector<std::string> deliver(const std::string& src, const std::string& body_json, int64_t now_ms = 0);
  // Just the bodies sent to `src` (the replies), for client requests.
  std::vector<std::string> ask(const std::string& body_json, const std::string& src = "c1", int64_t now_ms = 0);
  std::vector<std::string> tick(int64_t now_ms);
  std::vector<std::string> drain();

  node::Node node;
  Server server;
};

// A Maelstrom envelope line (without its newline) around `body` JSON text.
std::string envelope(const std::string& src, const std::string& dest, const std::string& body);

}  // namespace squall::gossip::testing
