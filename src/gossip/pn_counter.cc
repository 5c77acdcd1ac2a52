#include "gossip/pn_counter.h"

#include <algorithm>
#include <limits>

namespace squall::gossip {

bool PnCounter::add(const std::string& node, int64_t delta) {
  if (delta == 0) return true;
  if (delta == std::numeric_limits<int64_t>::min()) return false;  // its magnitude overflows
  Totals& t = entries_[node];
  int64_t* side = delta >= 0 ? &t.p : &t.n;
  int64_t magnitude = delta >= 0 ? delta : -delta;
  int64_t sum = 0;
  if (__builtin_add_overflow(*side, magnitude, &sum)) return false;
  *side = sum;
  return true;
}

bool PnCounter::merge_entry(const std::string& node, Totals t) {
  t.p = std::max<int64_t>(t.p, 0);
  t.n = std::max<int64_t>(t.n, 0);
  auto it = entries_.find(node);
  if (it == entries_.end()) {
    if (t.p == 0 && t.n == 0) return false;
    entries_.emplace(node, t);
    return true;
  }
  bool grew = t.p > it->second.p || t.n > it->second.n;
  it->second.p = std::max(it->second.p, t.p);
  it->second.n = std::max(it->second.n, t.n);
  return grew;
}

bool PnCounter::merge(const PnCounter& other) {
  bool changed = false;
  for (const auto& [node, t] : other.entries_) changed |= merge_entry(node, t);
  return changed;
}

bool PnCounter::leq(const PnCounter& other) const {
  for (const auto& [node, t] : entries_) {
    if (t.p == 0 && t.n == 0) continue;
    auto it = other.entries_.find(node);
    if (it == other.entries_.end() || t.p > it->second.p || t.n > it->second.n) return false;
  }
  return true;
}

int64_t PnCounter::value() const {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t v = 0;
  for (const auto& [node, t] : entries_) {
    if (__builtin_add_overflow(v, t.p, &v)) return kMax;
    if (__builtin_sub_overflow(v, t.n, &v)) return kMin;
  }
  return v;
}

}  // namespace squall::gossip
