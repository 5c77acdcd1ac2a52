#include "gossip/overlay.h"

#include <algorithm>

#include "core/assert.h"

namespace squall::gossip {

Overlay make_star(const std::string& self, const std::vector<std::string>& node_ids) {
  SQ_ASSERT_MSG(std::find(node_ids.begin(), node_ids.end(), self) != node_ids.end(),
                "node " << self << " not in node_ids");
  Overlay o;
  o.self = self;
  o.hub = node_ids.front();
  o.ids = &node_ids;
  o.self_index = static_cast<size_t>(std::find(node_ids.begin(), node_ids.end(), self) - node_ids.begin());
  if (self == o.hub) {
    for (size_t k = 0; k < o.other_count(); ++k) o.neighbors.push_back(o.other(k));
  } else {
    o.neighbors.push_back(o.hub);
  }
  return o;
}

}  // namespace squall::gossip
