// Rng: the one seeded PRNG of Squall.
//
// Algorithm: xoshiro256** (Blackman & Vigna), state seeded by splitmix64 from a 64-bit
// seed. The algorithm is fixed so that a seed printed by one build replays identically
// on another (std::*_distribution is not portable across standard libraries, so none is
// used). Not thread-safe: each component owns its Rng, obtained with fork(label) so that
// adding draws in one component does not shift the sequence of another.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

namespace squall {

// splitmix64 step: advances *state and returns the next output.
uint64_t splitmix64(uint64_t* state);

// 64-bit FNV-1a of a string; stable across builds, used to derive fork seeds.
uint64_t fnv1a64(std::string_view s);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t seed() const { return seed_; }

  // Next raw 64-bit output. Defined inline: simulators draw millions of times a second.
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, bound). Precondition: bound > 0. Unbiased (Lemire's
  // multiply-shift with rejection; the rejection loop is out of line as it is rare).
  uint64_t below(uint64_t bound) {
    if (bound == 0) bound_is_zero();
    __uint128_t m = static_cast<__uint128_t>(next()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) [[unlikely]]
      return below_slow(bound, m);
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform integer in [lo, hi] inclusive. Precondition: lo <= hi. Inline like below().
  int64_t range(int64_t lo, int64_t hi) {
    if (lo > hi) range_is_empty(lo, hi);
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span == UINT64_MAX) [[unlikely]]
      return static_cast<int64_t>(next());
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span + 1));
  }

  // True with probability numerator/denominator (integer probabilities keep fault
  // plans exact and printable). Precondition: denominator > 0. Inline like below().
  bool chance(uint64_t numerator, uint64_t denominator) {
    if (denominator == 0) bound_is_zero();
    if (numerator == 0) return false;
    if (numerator >= denominator) return true;
    return below(denominator) < numerator;
  }

  // Uniform double in [0, 1) with 53 bits of randomness.
  double unit();

  // Exponentially distributed double with the given mean (inverse-CDF on unit()).
  double exponential(double mean);

  // A new, independent generator whose seed depends on this generator's seed and the
  // label only (not on how many draws were made), so forks are stable.
  Rng fork(std::string_view label) const;

  // Fisher-Yates shuffle of a random-access range.
  template <typename It>
  void shuffle(It first, It last) {
    auto n = static_cast<uint64_t>(last - first);
    for (uint64_t i = n; i > 1; --i) {
      uint64_t j = below(i);
      std::swap(first[i - 1], first[j]);
    }
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t below_slow(uint64_t bound, __uint128_t m);
  [[noreturn]] static void bound_is_zero();
  [[noreturn]] static void range_is_empty(int64_t lo, int64_t hi);

  uint64_t seed_;
  std::array<uint64_t, 4> s_;
};

}  // namespace squall
