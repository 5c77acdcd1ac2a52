#include "core/rng.h"

#include <cmath>

#include "core/assert.h"

namespace squall {

uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng::Rng(uint64_t seed) : seed_(seed) {
  uint64_t sm = seed;
  for (auto& word : s_) word = splitmix64(&sm);
}

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Lemire, "Fast Random Integer Generation in an Interval" (2019): the fast path in
// below() accepts unless the low word falls under 2^64 mod bound; this finishes the
// rejection loop for that rare case.
uint64_t Rng::below_slow(uint64_t bound, __uint128_t m) {
  auto low = static_cast<uint64_t>(m);
  const uint64_t threshold = (0 - bound) % bound;
  while (low < threshold) {
    m = static_cast<__uint128_t>(next()) * bound;
    low = static_cast<uint64_t>(m);
  }
  return static_cast<uint64_t>(m >> 64);
}

void Rng::bound_is_zero() { SQ_UNREACHABLE("Rng::below: bound must be > 0"); }

void Rng::range_is_empty(int64_t lo, int64_t hi) {
  SQ_ASSERT_LE(lo, hi);
  SQ_UNREACHABLE("Rng::range: lo > hi");
}

double Rng::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::exponential(double mean) {
  SQ_ASSERT_GE(mean, 0.0);
  // 1 - unit() lies in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - unit());
}

Rng Rng::fork(std::string_view label) const {
  uint64_t mix = seed_ ^ rotl64(fnv1a64(label), 17);
  return Rng(splitmix64(&mix));
}

}  // namespace squall
