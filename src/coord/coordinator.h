// Coordinator: executes coordination operations against any RecordStore by optimistic
// compare-and-swap: read the record(s) and their revisions → plan with the pure model
// (model.h) → assert record invariants → commit guarded by the read revisions → on
// Conflict re-read and retry (bounded).
//
// Backend failures surface as typed errors: Unavailable (certainly not applied),
// Indeterminate (maybe applied — retry with the same op_id; the op-log makes that
// safe), Contention (kept losing the race). Not thread-safe: one Coordinator per
// thread; concurrent Coordinators on one shared store are safe because every write is
// guarded.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "coord/errors.h"
#include "coord/model.h"
#include "coord/mutations.h"
#include "coord/ops.h"
#include "coord/store.h"

namespace squall::coord {

// What to do when a planned record violates its invariants (only possible with a
// mutation switched on, or a bug): abort with the values (production), or count it and
// write anyway so that the simulator can report it as a finding with a replayable seed.
enum class InvariantPolicy : uint8_t { Abort, Report };

inline constexpr int kCasAttemptsMax = 8;

class Coordinator {
 public:
  explicit Coordinator(RecordStore* store, Mutations mutations = {}, InvariantPolicy policy = InvariantPolicy::Abort);

  Reply apply(const Request& request, int64_t now_ms);

  Reply create_run(const CreateRunOp& op) { return apply(Request{op}, 0); }
  Reply register_shards(int64_t now_ms, const RegisterShardsOp& op) { return apply(Request{op}, now_ms); }
  Reply claim_next(int64_t now_ms, const ClaimNextOp& op) { return apply(Request{op}, now_ms); }
  Reply acquire(int64_t now_ms, const AcquireOp& op) { return apply(Request{op}, now_ms); }
  Reply renew(int64_t now_ms, const RenewOp& op) { return apply(Request{op}, now_ms); }
  Reply checkpoint(int64_t now_ms, const CheckpointOp& op) { return apply(Request{op}, now_ms); }
  Reply complete(int64_t now_ms, const CompleteOp& op) { return apply(Request{op}, now_ms); }
  Reply park(int64_t now_ms, const ParkOp& op) { return apply(Request{op}, now_ms); }
  Reply split_replace(int64_t now_ms, const SplitReplaceOp& op) { return apply(Request{op}, now_ms); }
  Reply split_residual(int64_t now_ms, const SplitResidualOp& op) { return apply(Request{op}, now_ms); }
  Reply unpark(int64_t now_ms, const UnparkOp& op) { return apply(Request{op}, now_ms); }
  Reply finish_run(int64_t now_ms, const FinishRunOp& op) { return apply(Request{op}, now_ms); }

  const Mutations& mutations() const { return mutations_; }
  // Under InvariantPolicy::Report: how many planned records broke an invariant, and
  // the first description (nullptr if none).
  uint64_t invariant_violations() const { return violations_; }
  const char* first_violation() const { return first_violation_; }

 private:
  Reply do_create_run(const CreateRunOp& op);
  Reply do_register(const RegisterShardsOp& op, int64_t now_ms);
  Reply do_claim_next(const ClaimNextOp& op, int64_t now_ms);
  Reply do_finish_run(const FinishRunOp& op);
  // Reads a view of the target shard and plans on it copy-on-write into
  // txn_.shard_puts[0].
  template <typename PlanFn>
  Reply do_shard_op(const ShardRef& ref, bool needs_run, PlanFn plan);

  // Reads the run's config (immutable after creation, so it is cached).
  CoordResult<RunConfig> config_of(RunId run);
  // Reads the run record into run_scratch_, skipping the copy when run_scratch_
  // already holds the current revision (claim_next reads the run on every call).
  StoreStatus read_run(RunId run, Revision* revision);
  void check(const ShardRecord& r);
  void check(const RunRecord& r);
  // The reply for a planned op that succeeded: fx_.result, moved out.
  Reply planned_result();
  // Sets *r to the default OpResult.
  static void reset(OpResult* r);
  // Resets txn_ and fx_ for one shard operation; returns the slot the target is read into.
  ShardRecord* begin_shard_txn();
  // Commits txn_.shard_puts[0] and fx_ (planned, fx_.write), guarded by the read
  // revisions; the caller answers with fx_.result on Ok and retries on Conflict.
  StoreStatus commit_planned(Revision shard_rev, const RunRecord* run_read, Revision run_rev);
  static CoordError store_error(StoreStatus s);

  RecordStore* store_;
  Mutations mutations_;
  InvariantPolicy policy_;
  uint64_t violations_ = 0;
  const char* first_violation_ = nullptr;
  std::unordered_map<RunId, RunConfig> configs_;  // lookup only; never iterated
  Txn txn_;                                       // reused to keep capacity
  PlanEffects fx_;                                // the current shard plan's effects
  ShardRecord shard_scratch_;
  RunRecord run_scratch_;         // never moved from: it doubles as a read cache
  RunId run_scratch_run_ = 0;     // which run run_scratch_ holds ...
  Revision run_scratch_rev_ = 0;  // ... at which revision (0: unknown)
};

}  // namespace squall::coord
