// KeyValueMap: an open-addressing hash map from (key id, integer value) to a small
// payload, for the txn checker's "who wrote this value" index.
//
// The index is probed once or more per element read, millions of times on a big
// history; a node-based std::unordered_map spends most of that in cache misses. This
// one keeps entries in one flat power-of-two array with linear probing. Insert-only (the
// checker never erases). Not thread-safe for writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace squall::checker::txn {

template <typename T>
class KeyValueMap {
 public:
  explicit KeyValueMap(size_t expected = 16) {
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.resize(cap);
  }

  // The entry for (key, value), inserting `init` when absent; second: whether inserted.
  std::pair<T*, bool> try_emplace(int32_t key, int64_t value, const T& init) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot* s = probe(key, value);
    if (s->used) return {&s->payload, false};
    *s = Slot{key, true, value, init};
    ++size_;
    return {&s->payload, true};
  }

  const T* find(int32_t key, int64_t value) const {
    const Slot* s = const_cast<KeyValueMap*>(this)->probe(key, value);
    return s->used ? &s->payload : nullptr;
  }
  T* find(int32_t key, int64_t value) {
    Slot* s = probe(key, value);
    return s->used ? &s->payload : nullptr;
  }

  size_t size() const { return size_; }

  // Calls fn(key, value, payload) for every entry, in no particular order.
  template <typename Fn>
  void for_each(Fn fn) const {
    for (const Slot& s : slots_)
      if (s.used) fn(s.key, s.value, s.payload);
  }

 private:
  struct Slot {
    int32_t key = 0;
    bool used = false;
    int64_t value = 0;
    T payload{};
  };

  static size_t hash(int32_t key, int64_t value) {
    uint64_t x = static_cast<uint64_t>(value) * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(key) << 1);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(x ^ (x >> 29));
  }

  Slot* probe(int32_t key, int64_t value) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(key, value) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used || (s.key == key && s.value == value)) return &s;
    }
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const Slot& s : old)
      if (s.used) try_emplace(s.key, s.value, s.payload);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace squall::checker::txn
