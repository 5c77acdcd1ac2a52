// MemoTable: the set of (linearized set, model state) configurations a search has already
// explored (Lowe's memoisation of Wing & Gong's search).
//
// Open addressing over 24-byte slots, with set encodings stored back to back in one arena,
// so an insertion costs no allocation except the geometric growth of the slot array and
// the arena. Not thread-safe (one per search). Invariant: load factor <= 1/2.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/linearized_set.h"

namespace squall::checker {

class MemoTable {
 public:
  MemoTable();

  // Inserts (set, state) unless present; true when it was new.
  bool insert(const LinearizedSet& set, uint32_t state);

  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot) + arena_.capacity() * sizeof(uint64_t); }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t offset = 0;  // into arena_; 0 marks an empty slot (arena_[0] is unused)
    uint32_t state = 0;
    uint32_t words = 0;
  };
  static uint64_t key_hash(uint64_t set_hash, uint32_t state) {
    uint64_t h = set_hash ^ (static_cast<uint64_t>(state) * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
  }
  void grow();

  std::vector<Slot> slots_;
  std::vector<uint64_t> arena_;
  size_t size_ = 0;
};

}  // namespace squall::checker
