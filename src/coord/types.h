// Vocabulary types of the shard coordination model: identifiers, key ranges, cursors,
// leases, statuses and operation kinds.
//
// Plain values, no thread-safety concerns. Key ranges are half-open [start, end) and
// compare lexicographically byte by byte; an empty bound means "unbounded" on that side
// (an empty start is naturally the smallest key; an empty end means +infinity).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace squall::coord {

using TenantId = uint64_t;
using RunId = uint64_t;
using ShardId = uint64_t;
using WorkerId = uint64_t;
using OpId = uint64_t;

// Derived shards (split children, residuals) carry this bit; registered (root) shards
// never do. It lets anyone tell a derived id from a root id without a lookup.
inline constexpr ShardId kDerivedBit = ShardId{1} << 63;
inline bool is_derived(ShardId id) { return (id & kDerivedBit) != 0; }

// Limits (every input is bounded; see docs/coordination.md).
inline constexpr size_t kKeyBytesMax = 4 * 1024;
inline constexpr size_t kTokenBytesMax = 16 * 1024;
inline constexpr size_t kParkReasonBytesMax = 1024;
inline constexpr size_t kSplitChildrenMin = 2;
inline constexpr size_t kSplitChildrenMax = 256;
inline constexpr size_t kResidualsPerShardMax = 64;
inline constexpr size_t kRegisterBatchMax = 1024;
inline constexpr size_t kRootsPerRunMax = 4096;
inline constexpr uint64_t kShardsPerRunMax = 1 << 16;
inline constexpr size_t kClaimStampsMax = 4096;

enum class ShardStatus : uint8_t { Active, Done, Split, Parked };
enum class RunStatus : uint8_t { Active, Done };

// Every mutation the model knows. The numeric values feed payload hashes and derived
// ids, so they are part of the persistent format: append only, never renumber.
enum class OpKind : uint8_t {
  CreateRun = 1,
  RegisterShards = 2,
  ClaimNext = 3,
  Acquire = 4,
  Renew = 5,
  Checkpoint = 6,
  Complete = 7,
  Park = 8,
  SplitReplace = 9,
  SplitResidual = 10,
  Unpark = 11,
  FinishRun = 12,
};
inline constexpr int kOpKindCount = 12;

const char* to_string(ShardStatus s);
const char* to_string(RunStatus s);
const char* to_string(OpKind k);

inline bool is_terminal(ShardStatus s) { return s != ShardStatus::Active; }

// The 8 bytes at p as a big-endian integer: such words order like their bytes.
inline uint64_t load_be64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
  return w;
}

// a < b in std::string's order (bytes compared as unsigned, then the shorter first),
// eight bytes at a time: keys are short, and a call to memcmp for each of the several
// comparisons every checkpoint makes cost more than the comparison itself.
inline bool key_less(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = load_be64(a.data() + i);
    const uint64_t y = load_be64(b.data() + i);
    if (x != y) return x < y;
  }
  for (; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

// The first 8 bytes of a key as a big-endian integer, zero-padded. Two prefixes order
// like key_less orders their keys, except that equal prefixes may hide a difference
// further on (or a shorter key padded with zero bytes); callers break such ties with a
// full comparison. Sorting and searching by prefix keeps most comparisons off the bytes.
inline uint64_t key_prefix(std::string_view k) {
  if (k.size() >= 8) return load_be64(k.data());
  uint64_t p = 0;
  for (size_t i = 0; i < k.size(); ++i) p |= uint64_t{static_cast<unsigned char>(k[i])} << (56 - 8 * i);
  return p;
}

// Half-open key range [start, end); empty bounds are unbounded.
struct KeyRange {
  std::string start;
  std::string end;

  bool operator==(const KeyRange&) const = default;

  // True when start < end (an unbounded end is above every start).
  bool well_formed() const { return end.empty() || key_less(start, end); }
  bool contains(std::string_view key) const { return !key_less(key, start) && (end.empty() || key_less(key, end)); }
};

// A shard's progress: last_key is compared by the coordinator, token is opaque to it.
struct Cursor {
  std::string last_key;
  std::string token;
  bool operator==(const Cursor&) const = default;
};

struct Lease {
  WorkerId owner = 0;
  int64_t deadline_ms = 0;
  bool operator==(const Lease&) const = default;
  // Live ⇔ now < deadline.
  bool live_at(int64_t now_ms) const { return now_ms < deadline_ms; }
};

// Where a shard record lives: run ids are unique across tenants; the tenant is an
// attribute that every operation must present and that is checked.
struct ShardRef {
  TenantId tenant = 0;
  RunId run = 0;
  ShardId shard = 0;
  bool operator==(const ShardRef&) const = default;
};

// What a lease-gated operation presents: the shard, who it claims to be and the fence it
// was granted.
struct LeaseToken {
  ShardRef ref;
  WorkerId owner = 0;
  uint64_t fence = 0;
  bool operator==(const LeaseToken&) const = default;
};

}  // namespace squall::coord
