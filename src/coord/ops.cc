#include "coord/ops.h"

#include <bit>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/rng.h"

namespace squall::coord {

namespace {

// Incremental hash with explicit field lengths, so ("ab","c") and ("a","bc") differ.
// Word-wise (eight bytes per step, FNV-1a's offset and prime with an extra shift to
// spread high bits down): byte-wise FNV-1a cost more than the rest of a checkpoint's
// planning. Stable across builds and platforms (explicit little-endian loads).
class Hasher {
 public:
  void u64(uint64_t v) {
    h_ ^= v;
    h_ *= 0x100000001b3ULL;
    h_ ^= h_ >> 29;
  }
  void str(std::string_view s) {
    u64(s.size());
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) u64(load(s.data() + i, 8));
    if (i < s.size()) u64(load(s.data() + i, s.size() - i));
  }
  void range(const KeyRange& r) {
    str(r.start);
    str(r.end);
  }
  void cursor(const Cursor& c) {
    str(c.last_key);
    str(c.token);
  }
  void ref(const ShardRef& r) {
    u64(r.tenant);
    u64(r.run);
    u64(r.shard);
  }
  void lease(const LeaseToken& l) {
    ref(l.ref);
    u64(l.owner);
    u64(l.fence);
  }
  uint64_t value() const { return h_; }

 private:
  // Up to 8 bytes as a little-endian integer, zero-padded. A full word on a
  // little-endian machine is one unaligned load, the same value the byte loop builds.
  static uint64_t load(const char* p, size_t n) {
    if constexpr (std::endian::native == std::endian::little) {
      if (n == 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
      }
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

namespace {

template <typename T>
constexpr OpKind kind_of_type() {
  if constexpr (std::is_same_v<T, CreateRunOp>)
    return OpKind::CreateRun;
  else if constexpr (std::is_same_v<T, RegisterShardsOp>)
    return OpKind::RegisterShards;
  else if constexpr (std::is_same_v<T, ClaimNextOp>)
    return OpKind::ClaimNext;
  else if constexpr (std::is_same_v<T, AcquireOp>)
    return OpKind::Acquire;
  else if constexpr (std::is_same_v<T, RenewOp>)
    return OpKind::Renew;
  else if constexpr (std::is_same_v<T, CheckpointOp>)
    return OpKind::Checkpoint;
  else if constexpr (std::is_same_v<T, CompleteOp>)
    return OpKind::Complete;
  else if constexpr (std::is_same_v<T, ParkOp>)
    return OpKind::Park;
  else if constexpr (std::is_same_v<T, SplitReplaceOp>)
    return OpKind::SplitReplace;
  else if constexpr (std::is_same_v<T, SplitResidualOp>)
    return OpKind::SplitResidual;
  else if constexpr (std::is_same_v<T, UnparkOp>)
    return OpKind::Unpark;
  else {
    static_assert(std::is_same_v<T, FinishRunOp>);
    return OpKind::FinishRun;
  }
}

}  // namespace

// kind_of() (ops.h) reads the kind off the variant index.
template <size_t... I>
constexpr bool kinds_follow_index(std::index_sequence<I...>) {
  return ((kind_of_type<std::variant_alternative_t<I, Request>>() == static_cast<OpKind>(I + 1)) && ...);
}
static_assert(kinds_follow_index(std::make_index_sequence<std::variant_size_v<Request>>{}),
              "Request alternatives must follow OpKind order");

const LeaseToken* lease_of(const Request& r) {
  return std::visit(
      [](const auto& op) -> const LeaseToken* {
        if constexpr (requires { op.lease; })
          return &op.lease;
        else
          return nullptr;
      },
      r);
}

ShardId target_shard(const Request& r) {
  return std::visit(
      [](const auto& op) -> ShardId {
        if constexpr (requires { op.lease; })
          return op.lease.ref.shard;
        else if constexpr (requires { op.ref; })
          return op.ref.shard;
        else
          return 0;
      },
      r);
}

OpId op_id_of(const Request& r) {
  return std::visit(
      [](const auto& op) -> OpId {
        if constexpr (requires { op.op_id; })
          return op.op_id;
        else
          return 0;
      },
      r);
}

namespace {

// The typed payload hash: the Request overload dispatches here, and the model calls
// it directly (wrapping an op in a Request just to hash it copied the op).
template <typename T>
uint64_t hash_of(const T& op) {
  Hasher h;
  h.u64(static_cast<uint64_t>(kind_of_type<T>()));
  if constexpr (std::is_same_v<T, CreateRunOp>) {
    h.u64(op.tenant);
    h.u64(op.run);
    h.u64(static_cast<uint64_t>(op.config.lease_duration_ms));
    h.u64(static_cast<uint64_t>(op.config.claim_cooldown_ms));
  } else if constexpr (std::is_same_v<T, RegisterShardsOp>) {
    h.u64(op.tenant);
    h.u64(op.run);
    h.u64(op.shards.size());
    for (const auto& s : op.shards) {
      h.u64(s.id);
      h.range(s.spec);
    }
  } else if constexpr (std::is_same_v<T, ClaimNextOp>) {
    h.u64(op.tenant);
    h.u64(op.run);
    h.u64(op.worker);
  } else if constexpr (std::is_same_v<T, AcquireOp>) {
    h.ref(op.ref);
    h.u64(op.worker);
  } else if constexpr (std::is_same_v<T, RenewOp>) {
    h.lease(op.lease);
  } else if constexpr (std::is_same_v<T, CheckpointOp>) {
    h.lease(op.lease);
    h.cursor(op.cursor);
  } else if constexpr (std::is_same_v<T, CompleteOp>) {
    h.lease(op.lease);
    h.cursor(op.final_cursor);
  } else if constexpr (std::is_same_v<T, ParkOp>) {
    h.lease(op.lease);
    h.str(op.reason);
  } else if constexpr (std::is_same_v<T, SplitReplaceOp>) {
    h.lease(op.lease);
    h.u64(op.children.size());
    for (const auto& c : op.children) h.range(c);
  } else if constexpr (std::is_same_v<T, SplitResidualOp>) {
    h.lease(op.lease);
    h.range(op.new_parent);
    h.range(op.residual);
  } else if constexpr (std::is_same_v<T, UnparkOp>) {
    h.ref(op.ref);
  } else {
    h.u64(op.tenant);
    h.u64(op.run);
  }
  return h.value();
}

}  // namespace

uint64_t payload_hash(const Request& r) {
  return std::visit([](const auto& op) { return hash_of(op); }, r);
}
uint64_t payload_hash(const RegisterShardsOp& op) { return hash_of(op); }
uint64_t payload_hash(const CheckpointOp& op) { return hash_of(op); }
uint64_t payload_hash(const CompleteOp& op) { return hash_of(op); }
uint64_t payload_hash(const ParkOp& op) { return hash_of(op); }
uint64_t payload_hash(const SplitReplaceOp& op) { return hash_of(op); }
uint64_t payload_hash(const SplitResidualOp& op) { return hash_of(op); }
uint64_t payload_hash(const UnparkOp& op) { return hash_of(op); }
uint64_t payload_hash(const FinishRunOp& op) { return hash_of(op); }

ShardId derive_shard_id(RunId run, ShardId parent, OpId op_id, OpKind kind, uint32_t index) {
  uint64_t state = run;
  uint64_t h = splitmix64(&state);
  state = h ^ parent;
  h = splitmix64(&state);
  state = h ^ op_id;
  h = splitmix64(&state);
  state = h ^ ((static_cast<uint64_t>(kind) << 32) | index);
  h = splitmix64(&state);
  return h | kDerivedBit;
}

}  // namespace squall::coord
