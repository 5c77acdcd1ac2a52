// The operations of the coordination model as values, and their results.
//
// Each operation is a plain struct; Request is the variant of all of them, so a request
// can travel through a (simulated) network, be logged and be replayed. payload_hash()
// fingerprints everything an operation carries except `now`, for op-log idempotency.
// derive_shard_id() computes the id of a split child or residual as a pure function of
// (run, parent, op_id, kind, index), so a replayed split re-derives the same ids.
// Value types; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "coord/errors.h"
#include "coord/records.h"
#include "coord/types.h"

namespace squall::coord {

struct CreateRunOp {
  TenantId tenant = 0;
  RunId run = 0;
  RunConfig config;
};

struct RootSpec {
  ShardId id = 0;
  KeyRange spec;
};

struct RegisterShardsOp {
  TenantId tenant = 0;
  RunId run = 0;
  std::vector<RootSpec> shards;
  OpId op_id = 0;
};

struct ClaimNextOp {
  TenantId tenant = 0;
  RunId run = 0;
  WorkerId worker = 0;
};

struct AcquireOp {
  ShardRef ref;
  WorkerId worker = 0;
};

struct RenewOp {
  LeaseToken lease;
};

struct CheckpointOp {
  LeaseToken lease;
  Cursor cursor;
  OpId op_id = 0;
};

// final_cursor with an empty last_key means "no further progress" (a shard whose range
// holds nothing after the current cursor); a non-empty one passes the cursor checks.
struct CompleteOp {
  LeaseToken lease;
  Cursor final_cursor;
  OpId op_id = 0;
};

struct ParkOp {
  LeaseToken lease;
  std::string reason;
  OpId op_id = 0;
};

struct SplitReplaceOp {
  LeaseToken lease;
  std::vector<KeyRange> children;
  OpId op_id = 0;
};

struct SplitResidualOp {
  LeaseToken lease;
  KeyRange new_parent;
  KeyRange residual;
  OpId op_id = 0;
};

struct UnparkOp {
  ShardRef ref;
  OpId op_id = 0;
};

struct FinishRunOp {
  TenantId tenant = 0;
  RunId run = 0;
  OpId op_id = 0;
};

using Request = std::variant<CreateRunOp, RegisterShardsOp, ClaimNextOp, AcquireOp, RenewOp, CheckpointOp, CompleteOp,
                             ParkOp, SplitReplaceOp, SplitResidualOp, UnparkOp, FinishRunOp>;

// The alternatives of Request are listed in OpKind order (ops.cc asserts it), so the
// kind is the index: inline and without a visit, as the simulator asks it per request.
inline OpKind kind_of(const Request& r) { return static_cast<OpKind>(r.index() + 1); }

// The shard a request targets, when it targets exactly one known shard (0 otherwise).
ShardId target_shard(const Request& r);
// The op_id a request carries (0 for kinds without one).
OpId op_id_of(const Request& r);
// The lease a lease-gated request presents, or nullptr.
const LeaseToken* lease_of(const Request& r);

// The successful outcome of any operation. Fields irrelevant to an operation stay at
// their defaults. For grants (acquire, claim_next) spec and cursor tell the new holder
// where to resume; for splits `spawned` lists the derived ids in range order.
struct OpResult {
  bool replayed = false;  // served from the op-log; nothing was written
  ShardId shard = 0;
  uint64_t fence = 0;
  int64_t deadline_ms = 0;
  KeyRange spec;
  Cursor cursor;
  std::vector<ShardId> spawned;
};

using Reply = CoordResult<OpResult>;

// Fingerprint of an operation's payload (everything but `now`), word-wise FNV-style
// and stable across builds: it is persisted in op-logs.
uint64_t payload_hash(const Request& r);
// The same hash for the op-logged kinds, without wrapping the op in a Request.
uint64_t payload_hash(const RegisterShardsOp& op);
uint64_t payload_hash(const CheckpointOp& op);
uint64_t payload_hash(const CompleteOp& op);
uint64_t payload_hash(const ParkOp& op);
uint64_t payload_hash(const SplitReplaceOp& op);
uint64_t payload_hash(const SplitResidualOp& op);
uint64_t payload_hash(const UnparkOp& op);
uint64_t payload_hash(const FinishRunOp& op);

ShardId derive_shard_id(RunId run, ShardId parent, OpId op_id, OpKind kind, uint32_t index);

}  // namespace squall::coord
