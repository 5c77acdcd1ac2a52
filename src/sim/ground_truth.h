// GroundTruth: the items a simulated run must process and which of them hold findings;
// FindingsStore: the data plane where workers commit findings (put-if-absent by the id
// the worker writes them under; an honest worker's ids are content addresses, so a
// re-processed item's findings are absorbed, not duplicated).
//
// Root shard i covers item numbers [i*1000, (i+1)*1000) as keys "k%07d"; the first root
// starts unbounded ("") and the last ends unbounded, so the roots tile the whole key
// space. Items are a seeded random subset. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "coord/types.h"
#include "core/rng.h"

namespace squall::sim {

struct Item {
  std::string key;
  bool finding = false;
};

class GroundTruth {
 public:
  GroundTruth(Rng* rng, int roots);

  std::string key_of(uint32_t number) const;
  const coord::KeyRange& root_range(int i) const { return roots_[static_cast<size_t>(i)]; }
  int root_count() const { return static_cast<int>(roots_.size()); }
  const std::vector<Item>& items() const { return items_; }
  size_t finding_count() const { return findings_; }

  // Index of the first item with key > after (or >= range.start when after is empty),
  // clipped to range; returns [first, last) of the item indices inside range after it.
  std::pair<size_t, size_t> remaining(const coord::KeyRange& range, const std::string& after) const;
  // remaining(range, after) given a guess of the answer (such as the previous answer
  // moved past one batch): a right guess is confirmed by comparing the keys on either
  // side of its two bounds, a wrong one falls back to the searches. The same result
  // either way.
  std::pair<size_t, size_t> remaining(const coord::KeyRange& range, const std::string& after,
                                      std::pair<size_t, size_t> guess) const;
  // All items in range: [first, last).
  std::pair<size_t, size_t> within(const coord::KeyRange& range) const;
  // The index of the item with this key, if there is one.
  std::optional<size_t> index_of(const std::string& key) const;

  // Processing counters (at-least-once: may exceed 1).
  void mark_processed(size_t item) { ++processed_[item]; }
  uint32_t processed(size_t item) const { return processed_[item]; }

 private:
  std::vector<coord::KeyRange> roots_;
  std::vector<Item> items_;  // sorted by key
  size_t lower(const std::string& k, bool or_equal, size_t lo, size_t hi) const;
  // Three-way comparison of item i's key with k, whose key_prefix is kp.
  int compare(size_t i, const std::string& k, uint64_t kp) const;

  std::vector<uint32_t> processed_;
  std::vector<uint64_t> prefixes_;  // key_prefix(items_[i].key), for the binary searches
  size_t findings_ = 0;
};

class FindingsStore {
 public:
  explicit FindingsStore(size_t items) : copies_(items, 0) {}
  // Puts the finding of item `i` under `id` if no record has that id yet (a second
  // write of the same id is absorbed). Returns true if it was absorbed.
  bool write(uint64_t id, size_t i);
  // How many records hold item i's finding (distinct ids written for it).
  uint32_t copies(size_t i) const { return copies_[i]; }
  uint64_t deduplicated() const { return deduplicated_; }

 private:
  std::vector<uint32_t> copies_;
  std::unordered_set<uint64_t> ids_;
  uint64_t deduplicated_ = 0;
};

}  // namespace squall::sim
