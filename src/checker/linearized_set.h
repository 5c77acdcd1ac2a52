// LinearizedSet: the set of calls already linearized on the current search path, kept as
// two bitsets (completed calls, then pending calls) with an O(1) incremental Zobrist hash
// and a compact canonical encoding for the memo table.
//
// Why two regions: completed calls are linearized roughly in invocation order, so their
// bitset is a run of full words followed by a short ragged window; pending calls may stay
// unlinearized forever and would otherwise keep that window open. The encoding stores only
// the count of leading full words, the ragged window, and the non-zero span of the pending
// region, so a memo entry costs O(concurrency) words instead of O(history length).
//
// Not thread-safe (one per search). Invariant: full_words_ is the number of leading words
// of the completed region that are full, and used_words_ bounds its last non-zero word.
#pragma once

#include <cstdint>
#include <vector>

#include "core/assert.h"

namespace squall::checker {

class LinearizedSet {
 public:
  // completed: calls 0..completed-1; pending: calls completed..completed+pending-1.
  // zobrist: one random key per call (size completed+pending).
  LinearizedSet(uint32_t completed, uint32_t pending, std::vector<uint64_t> zobrist);

  bool contains(uint32_t call) const {
    if (call < completed_) return (done_[call >> 6] >> (call & 63)) & 1;
    uint32_t p = call - completed_;
    return (pending_[p >> 6] >> (p & 63)) & 1;
  }
  void insert(uint32_t call);
  void erase(uint32_t call);
  uint64_t hash() const { return hash_; }

  // Canonical encoding of the current set into *out (cleared first). Two sets are equal
  // iff their encodings are.
  void encode(std::vector<uint64_t>* out) const {
    out->clear();
    append_encoding(out);
  }
  // Appends the encoding to *out (the memo table's arena: no copy through a scratch
  // buffer); returns its length in words.
  size_t append_encoding(std::vector<uint64_t>* out) const;
  // True iff encode() would produce exactly words[0..n).
  bool equals_encoding(const uint64_t* words, size_t n) const;

 private:
  uint64_t full_mask(uint32_t word) const {
    uint32_t bits_in_word = word + 1 < done_.size() || completed_ % 64 == 0 ? 64 : completed_ % 64;
    return bits_in_word == 64 ? ~0ULL : ((1ULL << bits_in_word) - 1);
  }
  void pending_span(uint32_t* lo, uint32_t* hi) const;

  uint32_t completed_;
  std::vector<uint64_t> done_;     // completed region
  std::vector<uint64_t> pending_;  // pending region
  std::vector<uint64_t> zobrist_;
  uint64_t hash_ = 0;
  uint32_t full_words_ = 0;
  uint32_t used_words_ = 0;
};

}  // namespace squall::checker
