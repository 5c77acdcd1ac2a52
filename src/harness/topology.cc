#include "harness/topology.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace squall::harness {

bool is_topology_name(std::string_view name) {
  return name == "grid" || name == "line" || name == "tree" || name == "tree2" || name == "tree3" || name == "tree4" ||
         name == "total";
}

std::string_view canonical_topology(std::string_view name) { return name == "tree" ? "tree2" : name; }

std::vector<std::vector<int>> make_topology(std::string_view given, int n) {
  SQ_ASSERT(is_topology_name(given));
  std::string_view name = canonical_topology(given);
  std::vector<std::vector<int>> out(static_cast<size_t>(n));
  auto link = [&](int a, int b) {
    out[static_cast<size_t>(a)].push_back(b);
    out[static_cast<size_t>(b)].push_back(a);
  };
  if (name == "total") {
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b)
        if (a != b) out[static_cast<size_t>(a)].push_back(b);
    return out;
  }
  if (name == "line") {
    for (int a = 0; a + 1 < n; ++a) link(a, a + 1);
  } else if (name == "grid") {
    int side = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)))));
    for (int a = 0; a < n; ++a) {
      if ((a % side) + 1 < side && a + 1 < n) link(a, a + 1);
      if (a + side < n) link(a, a + side);
    }
  } else {
    int k = name.back() - '0';
    for (int a = 1; a < n; ++a) link(a, (a - 1) / k);
  }
  for (auto& v : out) std::sort(v.begin(), v.end());
  return out;
}

std::string topology_json(const std::vector<std::string>& nodes, const std::vector<std::vector<int>>& nb) {
  std::string out = "{";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i) out += ',';
    out += "\"" + nodes[i] + "\":[";
    for (size_t j = 0; j < nb[i].size(); ++j) {
      if (j) out += ',';
      out += "\"" + nodes[static_cast<size_t>(nb[i][j])] + "\"";
    }
    out += ']';
  }
  return out + "}";
}

}  // namespace squall::harness
