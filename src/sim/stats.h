// Counters of one simulated run (and of a sweep, by merging): operations by kind and
// reply class, injected faults by kind, invariant checks by invariant, and violations.
//
// Plain arrays indexed by enums, so merging and printing are ordered and cheap. Not
// thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "coord/types.h"

namespace squall::sim {

enum class Invariant : uint8_t {
  S1MutualExclusion,
  S2FenceMonotonic,
  S3TerminalIrreversible,
  S4RecordInvariants,
  S5CursorMonotonic,
  S6CursorInBounds,
  S7SplitCoverage,
  S8RunTerminal,
  S9ClaimCooldown,
  ZombieRejection,
  ExactlyOnceOps,  // an op_id is applied at most once while it is in the op-log
  EndToEnd,        // every item of a Done shard processed; findings committed exactly once
  Liveness,        // the fault-free phase ends with every shard terminal and the run Done
  WorkerConduct,   // a worker writes only under leases it was granted and not told it lost
  ModelAssertion,  // the coordinator's own record check (reported, not aborted, in simulation)
};
inline constexpr int kInvariantCount = static_cast<int>(Invariant::ModelAssertion) + 1;
const char* to_string(Invariant i);

enum class Fault : uint8_t {
  MsgLoss,
  MsgDuplicate,
  MsgDelay,
  Partition,
  Pause,
  TimeJump,
  ClockSkew,
  LeaseExpiry,
  Crash,
  StaleReplay,
  CommitFailed,
  CommitAmbiguous,
};
inline constexpr int kFaultCount = static_cast<int>(Fault::CommitAmbiguous) + 1;
const char* to_string(Fault f);

// How the coordinator answered a coordination operation (a reply class, not an outcome:
// "outcome" means ok / fail / info of a history op everywhere in Squall).
enum class ReplyClass : uint8_t { Ok, Replayed, Rejected, BackendError };
inline constexpr int kReplyClassCount = 4;

struct Stats {
  // [op kind - 1][reply class]
  std::array<std::array<uint64_t, kReplyClassCount>, coord::kOpKindCount> ops{};
  std::array<uint64_t, kFaultCount> faults{};
  std::array<uint64_t, kInvariantCount> checks{};
  std::array<uint64_t, kInvariantCount> violations{};
  uint64_t coord_ops = 0;  // requests applied by the coordinator (any reply class)
  uint64_t steps = 0;      // ticks simulated
  int64_t simulated_ms = 0;
  uint64_t items_processed = 0;
  uint64_t findings_deduplicated = 0;

  void count_op(coord::OpKind k, ReplyClass c) { ++ops[static_cast<size_t>(k) - 1][static_cast<size_t>(c)]; }
  void count_fault(Fault f) { ++faults[static_cast<size_t>(f)]; }
  void count_check(Invariant i, uint64_t n = 1) { checks[static_cast<size_t>(i)] += n; }
  uint64_t op_total(coord::OpKind k) const;
  void merge(const Stats& o);
};

struct Violation {
  Invariant invariant;
  int64_t at_ms = 0;
  std::string detail;
};

}  // namespace squall::sim
