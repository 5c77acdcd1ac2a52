// Network: the nodes' private network on this host — a bridge, one network namespace per
// node, and a veth pair per node (host end on the bridge, the other end named eth0 inside
// the namespace, lo up), with addresses from a private /24 that overlaps no host route.
//
// Names carry the run's tag: bridge "sqb<tag>", host veth ends "sq<tag>h<i>", namespaces
// "squall-<tag>-<node>". The bridge holds .1 (the control node), node i holds .(11+i).
// Every object is recorded in the run's StateFile before it is made. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/state_file.h"
#include "core/result.h"

namespace squall::cluster {

struct NodeNet {
  std::string name;       // the node's name, "n1"
  std::string netns;      // "squall-<tag>-n1"
  std::string veth_host;  // "sq<tag>h0"
  std::string address;    // "10.213.7.11"
};

// IPv4 prefixes (network, prefix length) of the host's routes, parsed from the output of
// `ip -4 -o route show table all` ("default" is 0.0.0.0/0 and is ignored: every /24
// overlaps it). Lines it does not understand are skipped.
std::vector<std::pair<uint32_t, int>> parse_route_prefixes(std::string_view ip_route_output);

// The first 10.X.Y.0/24 in a fixed candidate walk starting at `start` that overlaps none
// of `used`; nullopt when all are taken. Pure, for tests.
std::optional<uint32_t> choose_subnet(const std::vector<std::pair<uint32_t, int>>& used, uint32_t start);

std::string ipv4_to_string(uint32_t addr);

class Network {
 public:
  // Creates the bridge, namespaces and veths for `nodes` (names [a-z0-9] only, at most 8
  // characters). Holds a host-wide lock while choosing the subnet so two runs never pick
  // the same one. On failure everything made so far is removed again.
  static Result<Network> create(const std::string& tag, const std::vector<std::string>& nodes, StateFile* state);

  const std::string& tag() const { return tag_; }
  const std::string& bridge() const { return bridge_; }
  const std::string& bridge_address() const { return bridge_address_; }
  const std::vector<NodeNet>& nodes() const { return nodes_; }

  // Kills the processes in the namespaces, deletes the namespaces, then the links, and
  // checks that no veth of this run is left. Idempotent.
  Status destroy();

 private:
  std::string tag_;
  std::string bridge_;
  std::string bridge_address_;
  std::vector<NodeNet> nodes_;
  bool destroyed_ = false;
};

}  // namespace squall::cluster
