// FlatMap64: an open-addressing hash map from 64-bit keys to 64-bit values, for the hot
// paths of models (step caches, interning of small tuples).
//
// Linear probing over one array, power-of-two capacity, load factor <= 1/2; no per-entry
// allocation. Not thread-safe. Invariant: the reserved key kEmptyKey is never stored.
#pragma once

#include <cstdint>
#include <vector>

#include "core/assert.h"

namespace squall::model {

class FlatMap64 {
 public:
  static constexpr uint64_t kEmptyKey = ~0ULL;

  FlatMap64() : slots_(64) {}

  // Pointer to the value for key, or nullptr.
  const int64_t* find(uint64_t key) const {
    SQ_ASSERT_NE(key, kEmptyKey);
    size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmptyKey) return nullptr;
    }
  }
  // Inserts or overwrites.
  void put(uint64_t key, int64_t value) {
    SQ_ASSERT_NE(key, kEmptyKey);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].key == key) {
        slots_[i].value = value;
        return;
      }
      if (slots_[i].key == kEmptyKey) {
        slots_[i] = Slot{key, value};
        ++size_;
        return;
      }
    }
  }
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key = kEmptyKey;
    int64_t value = 0;
  };
  static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmptyKey) put(s.key, s.value);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace squall::model
