// Corpus: a deterministic corpus of items with secrets planted at known places.
//
// Corpus(seed, items) defines items 0..items-1 with keys "c%08u" (so key order is number
// order) and contents generated from (seed, number): lowercase filler words with, in
// about one item in five, one or two secrets "SQK-" + 20 uppercase hex digits inserted
// at drawn offsets. Anyone with the seed computes the same items, so ground_truth() —
// derived from the generator, not by scanning — is what a run's committed findings must
// equal exactly. It is an ItemSource: scan() finds secrets by searching the content, as
// a real scanner would. Nothing is stored; every item is regenerated on demand.
// Const methods are thread-safe; list/scan keep no state either.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coord/types.h"
#include "worker/finding.h"
#include "worker/item_source.h"

namespace squall::worker {

class Corpus final : public ItemSource {
 public:
  static constexpr std::string_view kSecretPrefix = "SQK-";
  static constexpr size_t kSecretDigits = 20;
  static constexpr uint32_t kItemsMax = 100'000'000;  // keys have 8 digits

  // Precondition: items <= kItemsMax (a driver checks its input against it).
  Corpus(uint64_t seed, uint32_t items);

  uint64_t seed() const { return seed_; }
  uint32_t size() const { return items_; }
  static std::string key_of(uint32_t number);
  std::string content_of(uint32_t number) const;
  // `n` ranges that tile the whole key space (the first starts unbounded, the last ends
  // unbounded) with about items/n items each. Precondition: 1 <= n <= max(items, 1).
  std::vector<coord::KeyRange> root_ranges(uint32_t n) const;
  // Every planted secret, in key then offset order.
  std::vector<Finding> ground_truth() const;

  void list(const coord::KeyRange& range, std::string_view after, size_t max, std::vector<std::string>* keys) override;
  void scan(std::string_view key, std::vector<Finding>* out) override;

 private:
  // Builds item `number`'s content and, when plants is not null, appends its planted
  // secrets (the one generator behind content_of and ground_truth).
  void generate(uint32_t number, std::string* content, std::vector<Finding>* plants) const;
  // The first number whose key is >= k (> k when strict).
  uint32_t lower(std::string_view k, bool strict) const;

  uint64_t seed_;
  uint32_t items_;
};

// The secrets in `content` (the scanner behind Corpus::scan), attributed to item `key`.
void find_secrets(std::string_view key, std::string_view content, std::vector<Finding>* out);

}  // namespace squall::worker
