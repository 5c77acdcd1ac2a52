#include "worker/finding.h"

namespace squall::worker {

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

void mix_byte(uint64_t* h, uint8_t b) {
  *h ^= b;
  *h *= kFnvPrime;
}

void mix_u64(uint64_t* h, uint64_t v) {
  for (int i = 0; i < 8; ++i) mix_byte(h, static_cast<uint8_t>(v >> (8 * i)));
}

// Length first, so ("ab","c") and ("a","bc") differ.
void mix_string(uint64_t* h, const std::string& s) {
  mix_u64(h, s.size());
  for (char c : s) mix_byte(h, static_cast<uint8_t>(c));
}

}  // namespace

uint64_t content_id(const Finding& f) {
  uint64_t h = kFnvOffset;
  mix_string(&h, f.item_key);
  mix_u64(&h, f.offset);
  mix_string(&h, f.secret);
  return h;
}

}  // namespace squall::worker
