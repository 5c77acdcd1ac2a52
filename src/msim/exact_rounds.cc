#include "msim/exact_rounds.h"

#include <algorithm>

namespace squall::msim {

void ExactRounds::learned(int node, std::string_view element, int from, int64_t t_ns) {
  auto it = elements_.find(std::string(element));
  if (it == elements_.end()) {
    it = elements_.emplace(std::string(element), Element{}).first;
    it->second.depth.assign(static_cast<size_t>(n_), -1);
    it->second.first_ns = t_ns;
    order_.push_back(it->first);
  }
  Element& e = it->second;
  auto i = static_cast<size_t>(node);
  if (e.depth[i] >= 0) return;
  int d = 0;
  if (from >= 0 && from < n_ && e.depth[static_cast<size_t>(from)] >= 0) d = e.depth[static_cast<size_t>(from)] + 1;
  e.depth[i] = static_cast<int16_t>(std::min(d, 32767));
  ++e.held;
  e.max_depth = std::max(e.max_depth, d);
  if (e.held == n_) e.full_ns = t_ns;
}

void ExactRounds::forget_node(int node) {
  for (auto& [k, e] : elements_) {
    auto i = static_cast<size_t>(node);
    if (e.depth[i] < 0) continue;
    e.depth[i] = -1;
    --e.held;
    e.full_ns = -1;
  }
}

harness::RoundsSummary ExactRounds::summary() const {
  harness::RoundsSummary s;
  std::vector<int> rounds;
  std::vector<int64_t> times;
  for (const auto& k : order_) {
    const Element& e = elements_.at(k);
    if (e.held < n_) {
      ++s.unconverged;
      continue;
    }
    int m = 0;
    for (int16_t d : e.depth) m = std::max<int>(m, d);
    rounds.push_back(m);
    times.push_back(e.full_ns - e.first_ns);
  }
  s.exact = true;
  if (rounds.empty()) {
    s.why_not = order_.empty() ? "no element was added" : "no element reached every node";
    return s;
  }
  s.measured = true;
  s.elements = static_cast<int64_t>(rounds.size());
  std::vector<int> r = rounds;
  std::sort(r.begin(), r.end());
  s.max_rounds = r.back();
  s.median_rounds = r[r.size() / 2];
  std::sort(times.begin(), times.end());
  s.median_ms = times[times.size() / 2] / 1'000'000;
  s.max_ms = times.back() / 1'000'000;
  return s;
}

}  // namespace squall::msim
