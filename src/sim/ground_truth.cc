#include "sim/ground_truth.h"

#include <algorithm>

#include "core/assert.h"

namespace squall::sim {

namespace {
constexpr uint32_t kKeysPerRoot = 1000;
}

std::string GroundTruth::key_of(uint32_t number) const {
  // "k%07u" without printf, which showed up in the simulator's profile.
  std::string k(8, '0');
  k[0] = 'k';
  for (int i = 7; i >= 1 && number > 0; --i, number /= 10) k[static_cast<size_t>(i)] = static_cast<char>('0' + number % 10);
  return k;
}

GroundTruth::GroundTruth(Rng* rng, int roots) {
  SQ_ASSERT(roots >= 1 && roots <= 9999);
  for (int i = 0; i < roots; ++i) {
    const auto base = static_cast<uint32_t>(i) * kKeysPerRoot;
    coord::KeyRange r{i == 0 ? "" : key_of(base), i + 1 == roots ? "" : key_of(base + kKeysPerRoot)};
    roots_.push_back(r);
    const auto n = static_cast<size_t>(rng->range(20, 120));
    std::vector<uint32_t> offsets;
    offsets.reserve(n);
    for (size_t j = 0; j < n; ++j) offsets.push_back(static_cast<uint32_t>(rng->below(kKeysPerRoot)));
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    for (uint32_t off : offsets) {
      bool finding = rng->chance(1, 4);
      findings_ += finding;
      items_.push_back(Item{key_of(base + off), finding});
    }
  }
  processed_.assign(items_.size(), 0);
}

std::pair<size_t, size_t> GroundTruth::within(const coord::KeyRange& range) const {
  auto lo = std::lower_bound(items_.begin(), items_.end(), range.start,
                             [](const Item& it, const std::string& k) { return it.key < k; });
  auto hi = range.end.empty() ? items_.end()
                              : std::lower_bound(lo, items_.end(), range.end,
                                                 [](const Item& it, const std::string& k) { return it.key < k; });
  return {static_cast<size_t>(lo - items_.begin()), static_cast<size_t>(hi - items_.begin())};
}

std::pair<size_t, size_t> GroundTruth::remaining(const coord::KeyRange& range, const std::string& after) const {
  auto [lo, hi] = within(range);
  if (!after.empty()) {
    auto it = std::upper_bound(items_.begin() + static_cast<long>(lo), items_.begin() + static_cast<long>(hi), after,
                               [](const std::string& k, const Item& item) { return k < item.key; });
    lo = static_cast<size_t>(it - items_.begin());
  }
  return {lo, hi};
}

bool FindingsStore::write(size_t i) {
  SQ_ASSERT_LT(i, copies_.size());
  if (copies_[i] == 0 || non_idempotent_) {
    ++copies_[i];
    return copies_[i] > 1;
  }
  ++deduplicated_;
  return true;
}

}  // namespace squall::sim
