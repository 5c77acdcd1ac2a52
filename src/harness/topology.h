// Topology: the neighbour map broadcast nodes receive in their `topology` message.
//
// Maelstrom's shapes: grid (nodes on a square grid, neighbours up/down/left/right),
// line, tree2/tree3/tree4 (a tree with that branching factor, links both ways; "tree"
// is tree2) and
// total (everyone). Pure functions; output order is deterministic (node order).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace squall::harness {

bool is_topology_name(std::string_view name);
// Maelstrom's docs call tree2 "tree"; both names are accepted, tree2 is the canonical one.
std::string_view canonical_topology(std::string_view name);

// Neighbours of each node, by position in `nodes`. Precondition: a valid name.
std::vector<std::vector<int>> make_topology(std::string_view name, int node_count);

// {"n0":["n1",...],...}
std::string topology_json(const std::vector<std::string>& nodes, const std::vector<std::vector<int>>& neighbours);

}  // namespace squall::harness
