// GSet: a grow-only set of JSON values, the state-based CRDT behind broadcast and g-set.
//
// Elements are kept as their compact JSON text. Merge is set union, which is
// commutative, associative and idempotent (property-tested). elements() lists them in
// the order this replica learned them, so output never depends on hash order; digest()
// is an order-independent hash (sum of FNV-1a hashes) that anti-entropy compares.
// Invariant: every element appears once. Element references stay valid while the set
// lives (std::deque). Elements are found through an open-addressing table of indices
// keyed by the same FNV-1a hash the digest sums, so an add hashes its text once and
// allocates nothing but the element itself. Not thread-safe.
#pragma once

#include <climits>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall::gossip {

class GSet {
 public:
  GSet() = default;
  GSet(const GSet& other) { merge(other); }
  GSet& operator=(const GSet& other);

  static constexpr uint32_t kAbsent = UINT32_MAX;

  // Adds one element; true when it was new.
  bool add(std::string_view json) { return add_indexed(json).second; }
  // Adds one element; its index in elements() and whether it was new.
  std::pair<uint32_t, bool> add_indexed(std::string_view json);
  bool contains(std::string_view json) const { return find(json) != kAbsent; }
  // The element's index in elements(), kAbsent when it is not in the set.
  uint32_t find(std::string_view json) const;
  size_t size() const { return elements_.size(); }
  const std::deque<std::string>& elements() const { return elements_; }
  uint64_t digest() const { return digest_; }

  // Union; returns how many elements were new.
  size_t merge(const GSet& other);
  // Set equality (ignores learning order).
  bool same_as(const GSet& other) const;

 private:
  // Where the probe for `hash` starts (the table's size is a power of two).
  size_t home(uint64_t hash) const;
  // The slot holding `json`, or the empty slot where it would go.
  size_t probe(std::string_view json, uint64_t hash) const;
  void grow();

  std::deque<std::string> elements_;
  std::vector<uint64_t> hashes_;  // fnv1a64 of each element, in elements_ order
  std::vector<uint32_t> slots_;   // 0: empty; else 1 + an index into elements_
  int shift_ = 64;                // 64 - log2(slots_.size())
  uint64_t digest_ = 0;
};

}  // namespace squall::gossip
