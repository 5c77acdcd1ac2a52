#include "gossip/overlay.h"

#include "core/assert.h"

namespace squall::gossip {

Overlay make_star(const std::string& self, const std::vector<std::string>& node_ids, size_t self_index) {
  SQ_ASSERT_MSG(self_index < node_ids.size() && node_ids[self_index] == self, "node " << self << " not in node_ids");
  Overlay o;
  o.self = self;
  o.hub = node_ids.front();
  o.ids = &node_ids;
  o.self_index = self_index;
  if (self == o.hub) {
    for (size_t k = 0; k < o.other_count(); ++k) o.neighbors.push_back(o.other(k));
  } else {
    o.neighbors.push_back(o.hub);
  }
  return o;
}

}  // namespace squall::gossip
