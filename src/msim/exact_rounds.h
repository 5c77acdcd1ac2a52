// ExactRounds: the hops each broadcast / g-set element really took to reach every node.
//
// In simulation every delivery is known, and the node core reports each element it
// learns while handling a message. An element a client gave a node is at depth 0 there;
// an element a node learns from a message sent by node s is at depth(s) + 1, because s
// held it when it sent that message. An element's rounds are its largest depth once
// every node holds it; a killed node forgets its depths (it lost its memory) and counts
// again when it learns the element anew. Unlike the journal replay of `squall test`
// (harness/convergence.h, a lower bound), this is the path the protocol really used.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/convergence.h"

namespace squall::msim {

class ExactRounds {
 public:
  explicit ExactRounds(int node_count) : n_(node_count) {}
  // `node` learned `element` at `t_ns` while handling a message from server `from`
  // (-1: from a client, so depth 0).
  void learned(int node, std::string_view element, int from, int64_t t_ns);
  void forget_node(int node);
  // Max and median rounds over the elements every node holds, with their times.
  harness::RoundsSummary summary() const;

 private:
  struct Element {
    std::vector<int16_t> depth;  // -1: not held
    int held = 0;
    int max_depth = 0;
    int64_t first_ns = 0;
    int64_t full_ns = -1;  // when the last node learned it
  };
  int n_;
  std::unordered_map<std::string, Element> elements_;
  std::vector<std::string> order_;  // first-seen order, for a deterministic summary
};

}  // namespace squall::msim
