// key_prefix: the first 8 bytes of a key as a big-endian integer, zero-padded.
//
// Comparing two prefixes orders keys exactly like comparing the strings, except that
// equal prefixes may hide a difference further on (or a shorter key padded with zero
// bytes); callers break such ties with a full string comparison. The simulator's
// binary searches over item keys and its sort of leaf ranges compare prefixes first,
// which keeps most comparisons off the string bytes.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace squall::sim {

inline uint64_t key_prefix(std::string_view k) {
  if (k.size() >= 8) {
    // One load instead of eight byte steps: the simulator's keys are 8 bytes long.
    uint64_t w;
    std::memcpy(&w, k.data(), sizeof w);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  }
  uint64_t p = 0;
  for (size_t i = 0; i < k.size(); ++i) p |= uint64_t{static_cast<unsigned char>(k[i])} << (56 - 8 * i);
  return p;
}

}  // namespace squall::sim
