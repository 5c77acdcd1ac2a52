#include "gossip/gset.h"

#include "core/assert.h"
#include "core/rng.h"

namespace squall::gossip {

GSet& GSet::operator=(const GSet& other) {
  if (this != &other) {
    GSet copy(other);
    elements_.swap(copy.elements_);
    hashes_.swap(copy.hashes_);
    slots_.swap(copy.slots_);
    shift_ = copy.shift_;
    digest_ = copy.digest_;
  }
  return *this;
}

size_t GSet::home(uint64_t hash) const {
  // Fibonacci hashing: FNV-1a's low bits alone cluster on short, similar texts.
  return static_cast<size_t>((hash * 0x9e3779b97f4a7c15ull) >> shift_);
}

size_t GSet::probe(std::string_view json, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(hash);; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) return i;
    if (hashes_[s - 1] == hash && elements_[s - 1] == json) return i;
  }
}

void GSet::grow() {
  size_t size = slots_.empty() ? 16 : slots_.size() * 2;
  slots_.assign(size, 0);
  shift_ = 64;
  while ((size_t{1} << (64 - shift_)) < size) --shift_;
  const size_t mask = size - 1;
  for (uint32_t e = 0; e < hashes_.size(); ++e) {
    size_t i = home(hashes_[e]);
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = e + 1;
  }
}

uint32_t GSet::find(std::string_view json) const {
  if (slots_.empty()) return kAbsent;
  uint32_t s = slots_[probe(json, fnv1a64(json))];
  return s == 0 ? kAbsent : s - 1;
}

std::pair<uint32_t, bool> GSet::add_indexed(std::string_view json) {
  // At most half full, so probes stay short and always end at an empty slot.
  if (2 * (elements_.size() + 1) > slots_.size()) grow();
  const uint64_t hash = fnv1a64(json);
  size_t slot = probe(json, hash);
  if (slots_[slot] != 0) return {slots_[slot] - 1, false};
  SQ_ASSERT_LT(elements_.size(), size_t{kAbsent});
  elements_.emplace_back(json);
  hashes_.push_back(hash);
  slots_[slot] = static_cast<uint32_t>(elements_.size());
  digest_ += hash;
  return {static_cast<uint32_t>(elements_.size() - 1), true};
}

size_t GSet::merge(const GSet& other) {
  size_t added = 0;
  for (const std::string& e : other.elements_) added += add(e);
  return added;
}

bool GSet::same_as(const GSet& other) const {
  if (size() != other.size() || digest_ != other.digest_) return false;
  for (const std::string& e : elements_) {
    if (!other.contains(e)) return false;
  }
  return true;
}

}  // namespace squall::gossip
