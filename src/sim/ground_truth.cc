#include "sim/ground_truth.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string_view>

#include "core/assert.h"

namespace squall::sim {

namespace {

constexpr uint32_t kKeysPerRoot = 1000;

// Writes "k%07u" into *k (8 bytes, no allocation: short-string storage).
void write_key(uint32_t number, std::string* k) {
  char buf[8];
  buf[0] = 'k';
  for (int i = 7; i >= 1; --i, number /= 10) buf[i] = static_cast<char>('0' + number % 10);
  k->assign(buf, sizeof buf);
}

}  // namespace

std::string GroundTruth::key_of(uint32_t number) const {
  // "k%07u" without printf, which showed up in the simulator's profile.
  std::string k;
  write_key(number, &k);
  return k;
}

GroundTruth::GroundTruth(Rng* rng, int roots) {
  SQ_ASSERT(roots >= 1 && roots <= 9999);
  static_assert(kKeysPerRoot == 1000, "keys are k + 4 root digits + 3 offset digits");
  roots_.reserve(static_cast<size_t>(roots));
  items_.reserve(static_cast<size_t>(roots) * 120);  // at most 120 items per root
  for (int i = 0; i < roots; ++i) {
    const auto base = static_cast<uint32_t>(i) * kKeysPerRoot;
    coord::KeyRange r{i == 0 ? "" : key_of(base), i + 1 == roots ? "" : key_of(base + kKeysPerRoot)};
    roots_.push_back(r);
    const auto n = static_cast<size_t>(rng->range(20, 120));
    // The distinct offsets in ascending order, via a bitmap: same draws and same
    // result as sort + unique, without the sort (building the truth is per-seed setup,
    // paid again for every seed of a sweep).
    std::array<uint64_t, (kKeysPerRoot + 63) / 64> drawn{};
    for (size_t j = 0; j < n; ++j) {
      const auto off = static_cast<uint32_t>(rng->below(kKeysPerRoot));
      drawn[off / 64] |= uint64_t{1} << (off % 64);
    }
    // Keys are "k" + 4 digits of the root + 3 of the offset: the root's part once.
    char key[8];
    for (int d = 4, r = i; d >= 1; --d, r /= 10) key[d] = static_cast<char>('0' + r % 10);
    key[0] = 'k';
    for (size_t w = 0; w < drawn.size(); ++w) {
      for (uint64_t bits = drawn[w]; bits != 0; bits &= bits - 1) {
        const auto off = static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
        const bool finding = rng->chance(1, 4);
        findings_ += finding;
        key[5] = static_cast<char>('0' + off / 100);
        key[6] = static_cast<char>('0' + off / 10 % 10);
        key[7] = static_cast<char>('0' + off % 10);
        // Built in place from the buffer (a fixed 8-byte copy); assigning into an
        // empty string went through the general replace path.
        items_.push_back(Item{std::string(key, sizeof key), finding});
      }
    }
  }
  processed_.assign(items_.size(), 0);
  prefixes_.reserve(items_.size());
  for (const Item& it : items_) prefixes_.push_back(coord::key_prefix(it.key));
}

// First index in [lo, hi) whose key is not below k (strict: key <= k is "below").
// Binary search on the integer prefixes; most probes never touch the strings.
size_t GroundTruth::lower(const std::string& k, bool or_equal, size_t lo, size_t hi) const {
  const uint64_t kp = coord::key_prefix(k);
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const uint64_t p = prefixes_[mid];
    bool below;
    if (p != kp) {
      below = p < kp;
    } else {
      const int c = items_[mid].key.compare(k);
      below = or_equal ? c <= 0 : c < 0;
    }
    if (below) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::pair<size_t, size_t> GroundTruth::within(const coord::KeyRange& range) const {
  const size_t lo = lower(range.start, false, 0, items_.size());
  const size_t hi = range.end.empty() ? items_.size() : lower(range.end, false, lo, items_.size());
  return {lo, hi};
}

std::pair<size_t, size_t> GroundTruth::remaining(const coord::KeyRange& range, const std::string& after) const {
  // The usual case, a cursor inside its range (start <= after < end): every item above
  // `after` is at or above start, and the first at or above end comes after them, so
  // two searches give exactly what the general path's three do.
  if (!after.empty() && after >= range.start && (range.end.empty() || after < range.end)) {
    const size_t lo = lower(after, true, 0, items_.size());
    const size_t hi = range.end.empty() ? items_.size() : lower(range.end, false, lo, items_.size());
    return {lo, hi};
  }
  auto [lo, hi] = within(range);
  if (!after.empty()) lo = lower(after, true, lo, hi);
  return {lo, hi};
}

int GroundTruth::compare(size_t i, const std::string& k, uint64_t kp) const {
  if (prefixes_[i] != kp) return prefixes_[i] < kp ? -1 : 1;
  return items_[i].key.compare(k);
}

std::pair<size_t, size_t> GroundTruth::remaining(const coord::KeyRange& range, const std::string& after,
                                                 std::pair<size_t, size_t> guess) const {
  const auto [lo, hi] = guess;
  const size_t n = items_.size();
  // Only the usual case of remaining() (a cursor inside its range) takes guesses.
  const bool inside = !after.empty() && after >= range.start && (range.end.empty() || after < range.end);
  if (!inside || lo > hi || hi > n) return remaining(range, after);
  // lo is the first item above `after`.
  const uint64_t ap = coord::key_prefix(after);
  if ((lo > 0 && compare(lo - 1, after, ap) > 0) || (lo < n && compare(lo, after, ap) <= 0))
    return remaining(range, after);
  // hi is the first item at or above the end, counting from lo.
  if (range.end.empty()) {
    if (hi != n) return remaining(range, after);
  } else {
    const uint64_t ep = coord::key_prefix(range.end);
    if ((hi < n && compare(hi, range.end, ep) < 0) || (hi > lo && compare(hi - 1, range.end, ep) >= 0))
      return remaining(range, after);
  }
  return guess;
}

std::optional<size_t> GroundTruth::index_of(const std::string& key) const {
  const size_t i = lower(key, false, 0, items_.size());
  if (i == items_.size() || items_[i].key != key) return std::nullopt;
  return i;
}

bool FindingsStore::write(uint64_t id, size_t i) {
  SQ_ASSERT_LT(i, copies_.size());
  if (ids_.insert(id).second) {
    ++copies_[i];
    return false;
  }
  ++deduplicated_;
  return true;
}

}  // namespace squall::sim
