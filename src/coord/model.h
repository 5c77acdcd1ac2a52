// The coordination model as pure functions: (record(s), op, now) → new record(s) or a
// typed error.
//
// Nothing here reads a clock, allocates ids from a counter or performs I/O: a backend
// reads the records, calls one plan_* function, and writes the planned records with a
// compare-and-swap (coordinator.h). Both the in-memory backend and a durable one run
// exactly this code, so they cannot disagree on semantics.
//
// Order of checks on lease-gated mutations (docs/coordination.md): idempotency (op-log),
// then lease validation (tenant, terminal, fence, holder, expiry), then the operation's
// own checks, then the mutation. The by-value plan_* functions never mutate their
// inputs; the *_in_place forms (what the Coordinator runs) plan copy-on-write
// (cow_record.h): they check the current record and, only once every check passed,
// turn the output into the record to write, so a shard read from the store is copied
// only by operations that write it, and not again on its way back. Thread-compatible.
#pragma once

#include <optional>
#include <vector>

#include "coord/cow_record.h"
#include "coord/errors.h"
#include "coord/mutations.h"
#include "coord/ops.h"
#include "coord/records.h"

namespace squall::coord {

// What a plan asks the backend to write besides the target shard. When `write` is
// false the op was a replay (or changed nothing) and only `result` is returned.
struct PlanEffects {
  bool write = true;
  std::optional<RunRecord> run;      // the run's new value, when it changes
  std::vector<ShardRecord> created;  // derived shards to create (must not exist)
  OpResult result;
};

struct ShardPlan : PlanEffects {
  ShardRecord shard;  // the target shard's new value
};

// nullopt: the plan succeeded.
using PlanError = std::optional<CoordError>;

struct RunPlan {
  bool write = true;
  RunRecord run;
  std::vector<ShardRecord> created;  // registered root shards (must not exist)
  OpResult result;
};

// Lease validation alone, in the specified priority order; nullopt when valid.
std::optional<CoordError> validate_lease(const ShardRecord& r, const LeaseToken& lease, int64_t now_ms,
                                         const Mutations& m);

// True when claim_next may hand this shard out at now_ms.
bool claimable(const ShardRecord& r, int64_t now_ms);

RunRecord new_run_record(const CreateRunOp& op);
std::optional<CoordError> validate_create_run(const CreateRunOp& op);

CoordResult<RunPlan> plan_register_shards(const RunRecord& run, const RegisterShardsOp& op,
                                          const std::vector<bool>& already_exists, const Mutations& m);
// The run-level checks of claim_next (tenant, run status, cooldown), which do not
// depend on the candidate shard; nullopt when they pass. plan_claim_next runs them first.
std::optional<CoordError> check_claim_next(const RunRecord& run, const ClaimNextOp& op, int64_t now_ms,
                                           const Mutations& m);
// `candidate` is the lowest-id claimable shard of the run, or nullptr if none.
CoordResult<ShardPlan> plan_claim_next(const RunRecord& run, const ShardRecord* candidate, const ClaimNextOp& op,
                                       int64_t now_ms, const Mutations& m);
CoordResult<ShardPlan> plan_acquire(ShardRecord r, const RunConfig& config, const AcquireOp& op, int64_t now_ms,
                                    const Mutations& m);
CoordResult<ShardPlan> plan_renew(ShardRecord r, const RunConfig& config, const RenewOp& op, int64_t now_ms,
                                  const Mutations& m);
CoordResult<ShardPlan> plan_checkpoint(ShardRecord r, const CheckpointOp& op, int64_t now_ms, const Mutations& m);
CoordResult<ShardPlan> plan_complete(ShardRecord r, const CompleteOp& op, int64_t now_ms, const Mutations& m);
CoordResult<ShardPlan> plan_park(ShardRecord r, const ParkOp& op, int64_t now_ms, const Mutations& m);
// `run` is needed for the per-run shard bound; the plan returns it with shard_count raised.
CoordResult<ShardPlan> plan_split_replace(ShardRecord r, const RunRecord& run, const SplitReplaceOp& op, int64_t now_ms,
                                          const Mutations& m);
CoordResult<ShardPlan> plan_split_residual(ShardRecord r, const RunRecord& run, const SplitResidualOp& op,
                                           int64_t now_ms, const Mutations& m);
CoordResult<ShardPlan> plan_unpark(ShardRecord r, const UnparkOp& op, int64_t now_ms, const Mutations& m);
// In-place forms. Precondition: *fx is fresh (default state). On success with
// fx->write, *candidate (or r's output, r->written() then holding) is the target's new
// value; on error and on a replay (fx->write false) nothing was written through r and
// on error *fx holds nothing the caller may use.
PlanError plan_claim_next_in_place(const RunRecord& run, ShardRecord* candidate, const ClaimNextOp& op, int64_t now_ms,
                                   const Mutations& m, PlanEffects* fx);
// plan_claim_next_in_place after its run-level checks: precondition check_claim_next
// passed for these inputs (the Coordinator runs it before looking for a candidate).
PlanError plan_claim_candidate_in_place(const RunRecord& run, ShardRecord* candidate, const ClaimNextOp& op,
                                        int64_t now_ms, PlanEffects* fx);
PlanError plan_acquire_in_place(CowRecord* r, const RunConfig& config, const AcquireOp& op, int64_t now_ms,
                                const Mutations& m, PlanEffects* fx);
PlanError plan_renew_in_place(CowRecord* r, const RunConfig& config, const RenewOp& op, int64_t now_ms,
                              const Mutations& m, PlanEffects* fx);
PlanError plan_checkpoint_in_place(CowRecord* r, const CheckpointOp& op, int64_t now_ms, const Mutations& m,
                                   PlanEffects* fx);
PlanError plan_complete_in_place(CowRecord* r, const CompleteOp& op, int64_t now_ms, const Mutations& m,
                                 PlanEffects* fx);
PlanError plan_park_in_place(CowRecord* r, const ParkOp& op, int64_t now_ms, const Mutations& m, PlanEffects* fx);
PlanError plan_split_replace_in_place(CowRecord* r, const RunRecord& run, const SplitReplaceOp& op, int64_t now_ms,
                                      const Mutations& m, PlanEffects* fx);
PlanError plan_split_residual_in_place(CowRecord* r, const RunRecord& run, const SplitResidualOp& op, int64_t now_ms,
                                       const Mutations& m, PlanEffects* fx);
PlanError plan_unpark_in_place(CowRecord* r, const UnparkOp& op, int64_t now_ms, const Mutations& m, PlanEffects* fx);
// `shards_finished`: every shard of the run is Done or Split.
CoordResult<RunPlan> plan_finish_run(const RunRecord& run, const FinishRunOp& op, bool shards_finished,
                                     const Mutations& m);

}  // namespace squall::coord
