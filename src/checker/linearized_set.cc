#include "checker/linearized_set.h"

namespace squall::checker {

LinearizedSet::LinearizedSet(uint32_t completed, uint32_t pending, std::vector<uint64_t> zobrist)
    : completed_(completed),
      done_((completed + 63) / 64, 0),
      pending_((pending + 63) / 64, 0),
      zobrist_(std::move(zobrist)) {
  SQ_ASSERT_EQ(zobrist_.size(), static_cast<size_t>(completed) + pending);
}

void LinearizedSet::insert(uint32_t call) {
  SQ_ASSERT(!contains(call));
  hash_ ^= zobrist_[call];
  if (call >= completed_) {
    uint32_t p = call - completed_;
    pending_[p >> 6] |= 1ULL << (p & 63);
    return;
  }
  uint32_t w = call >> 6;
  done_[w] |= 1ULL << (call & 63);
  if (w + 1 > used_words_) used_words_ = w + 1;
  while (full_words_ < done_.size() && done_[full_words_] == full_mask(full_words_)) ++full_words_;
}

void LinearizedSet::erase(uint32_t call) {
  SQ_ASSERT(contains(call));
  hash_ ^= zobrist_[call];
  if (call >= completed_) {
    uint32_t p = call - completed_;
    pending_[p >> 6] &= ~(1ULL << (p & 63));
    return;
  }
  uint32_t w = call >> 6;
  done_[w] &= ~(1ULL << (call & 63));
  if (w < full_words_) full_words_ = w;
  while (used_words_ > 0 && done_[used_words_ - 1] == 0) --used_words_;
}

void LinearizedSet::pending_span(uint32_t* lo, uint32_t* hi) const {
  uint32_t n = static_cast<uint32_t>(pending_.size());
  uint32_t a = 0;
  while (a < n && pending_[a] == 0) ++a;
  uint32_t b = n;
  while (b > a && pending_[b - 1] == 0) --b;
  if (a == b) a = b = 0;
  *lo = a;
  *hi = b;
}

size_t LinearizedSet::append_encoding(std::vector<uint64_t>* out) const {
  const size_t before = out->size();
  uint32_t hi_done = used_words_ > full_words_ ? used_words_ : full_words_;
  uint32_t lo, hi;
  pending_span(&lo, &hi);
  out->push_back(static_cast<uint64_t>(full_words_) | (static_cast<uint64_t>(hi_done) << 32));
  out->push_back(static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << 32));
  for (uint32_t w = full_words_; w < hi_done; ++w) out->push_back(done_[w]);
  for (uint32_t w = lo; w < hi; ++w) out->push_back(pending_[w]);
  return out->size() - before;
}

bool LinearizedSet::equals_encoding(const uint64_t* words, size_t n) const {
  uint32_t hi_done = used_words_ > full_words_ ? used_words_ : full_words_;
  if (n < 2 || words[0] != (static_cast<uint64_t>(full_words_) | (static_cast<uint64_t>(hi_done) << 32))) return false;
  uint32_t lo = static_cast<uint32_t>(words[1]), hi = static_cast<uint32_t>(words[1] >> 32);
  if (n != 2 + (hi_done - full_words_) + (hi - lo)) return false;
  size_t at = 2;
  for (uint32_t w = full_words_; w < hi_done; ++w)
    if (words[at++] != done_[w]) return false;
  // The stored pending span must hold exactly our non-zero pending words.
  uint32_t np = static_cast<uint32_t>(pending_.size());
  if (hi > np) return false;
  for (uint32_t w = 0; w < lo; ++w)
    if (pending_[w] != 0) return false;
  for (uint32_t w = lo; w < hi; ++w)
    if (words[at++] != pending_[w]) return false;
  for (uint32_t w = hi; w < np; ++w)
    if (pending_[w] != 0) return false;
  // Canonical form: a stored span never starts or ends on a zero word.
  return true;
}

}  // namespace squall::checker
