// GSet: a grow-only set of JSON values, the state-based CRDT behind broadcast and g-set.
//
// Elements are kept as their compact JSON text. Merge is set union, which is
// commutative, associative and idempotent (property-tested). elements() lists them in
// the order this replica learned them, so output never depends on hash order; digest()
// is an order-independent hash (sum of FNV-1a hashes) that anti-entropy compares.
// Invariant: every element appears once. Element references stay valid while the set
// lives (std::deque). Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace squall::gossip {

class GSet {
 public:
  GSet() = default;
  GSet(const GSet& other) { merge(other); }
  GSet& operator=(const GSet& other);

  // Adds one element; true when it was new.
  bool add(std::string_view json);
  bool contains(std::string_view json) const { return index_.count(json) > 0; }
  size_t size() const { return elements_.size(); }
  const std::deque<std::string>& elements() const { return elements_; }
  uint64_t digest() const { return digest_; }

  // Union; returns how many elements were new.
  size_t merge(const GSet& other);
  // Set equality (ignores learning order).
  bool same_as(const GSet& other) const;

 private:
  std::deque<std::string> elements_;
  std::unordered_set<std::string_view> index_;  // views into elements_
  uint64_t digest_ = 0;
};

}  // namespace squall::gossip
