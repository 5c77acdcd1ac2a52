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
  for (const std::string& id : node_ids) {
    if (id != self) o.others.push_back(id);
  }
  if (self == o.hub) {
    o.neighbors = o.others;
  } else {
    o.neighbors.push_back(o.hub);
  }
  return o;
}

}  // namespace squall::gossip
