// PnCounter: a state-based PN-counter CRDT, behind the g-counter and pn-counter
// workloads (a g-counter is a PN-counter whose N side stays zero).
//
// State: for each node id, the total of its positive and of its negative adds. Merge
// takes the pointwise maximum, which is commutative, associative and idempotent
// (property-tested); value() is ΣP − ΣN. Entries are kept in a std::map so that the
// gossip encoding is in a fixed order. Totals are bounded by int64: an add that would
// overflow is refused. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace squall::gossip {

class PnCounter {
 public:
  struct Totals {
    int64_t p = 0;
    int64_t n = 0;
    bool operator==(const Totals&) const = default;
  };

  // Adds `delta` to `node`'s side; false (and no change) on int64 overflow.
  bool add(const std::string& node, int64_t delta);
  // Sets an entry to at least the given totals (merge of one entry); true if it grew.
  // Negative totals are clamped to zero: they cannot come from add().
  bool merge_entry(const std::string& node, Totals t);
  // Pointwise max; true when this counter changed.
  bool merge(const PnCounter& other);
  // True when every entry of this is <= the same entry of `other`.
  bool leq(const PnCounter& other) const;

  // ΣP − ΣN, saturated to the int64 range.
  int64_t value() const;
  const std::map<std::string, Totals, std::less<>>& entries() const { return entries_; }
  bool operator==(const PnCounter& other) const { return entries_ == other.entries_; }

 private:
  std::map<std::string, Totals, std::less<>> entries_;
};

}  // namespace squall::gossip
