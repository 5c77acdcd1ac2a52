#include "coord/model.h"

#include <algorithm>
#include <optional>

namespace squall::coord {

namespace {

enum class Idem { Fresh, Replay, Conflict };

Idem check_idempotency(const OpLog& log, OpId op_id, uint64_t hash, const Mutations& m) {
  if (m.no_idempotency) return Idem::Fresh;
  const OpLogEntry* e = log.find(op_id);
  if (e == nullptr) return Idem::Fresh;
  return e->payload_hash == hash ? Idem::Replay : Idem::Conflict;
}

CoordError conflict_error() {
  return coord_error(CoordErrc::OpIdConflict, "op_id was already used with a different payload; use a fresh op_id");
}

// Step 1 of every run-level mutation: a replay returns the cached result without
// writing, a reused op_id with another payload is a conflict; nullopt means go on.
std::optional<CoordResult<RunPlan>> run_idempotency(const RunRecord& run, OpId op_id, uint64_t hash,
                                                    const Mutations& m) {
  switch (check_idempotency(run.op_log, op_id, hash, m)) {
    case Idem::Replay: {
      RunPlan p;
      p.write = false;
      p.run = run;
      p.result.replayed = true;
      return CoordResult<RunPlan>(std::move(p));
    }
    case Idem::Conflict: return CoordResult<RunPlan>(conflict_error());
    case Idem::Fresh: break;
  }
  return std::nullopt;
}

// The result served for a replayed op: what the original success reported.
void replay_plan(const ShardRecord& r, PlanEffects* fx) {
  fx->write = false;
  fx->result.replayed = true;
  fx->result.shard = r.id;
  fx->result.fence = r.fence;
}

// Step 1 of a shard mutation: an op_id already in the op-log with the same payload is
// served from it (a replay, no write); with another payload it is a conflict, left in
// *out. Returns false when the op is fresh and checking goes on.
bool settled_by_op_log(const ShardRecord& r, OpId op_id, uint64_t hash, const Mutations& m, PlanEffects* fx,
                       PlanError* out) {
  switch (check_idempotency(r.op_log, op_id, hash, m)) {
    case Idem::Replay:
      replay_plan(r, fx);
      *out = std::nullopt;
      return true;
    case Idem::Conflict: *out = conflict_error(); return true;
    case Idem::Fresh: return false;
  }
  SQ_UNREACHABLE("Idem");
}

// A fresh mutation of the record: appends the op to its op-log. Returns the record to
// mutate further (every check has passed by now).
ShardRecord* mutation_plan(CowRecord* rec, OpId op_id, OpKind kind, uint64_t hash, PlanEffects* fx) {
  ShardRecord* r = rec->write();
  r->op_log.append(OpLogEntry{op_id, kind, hash});
  fx->result.shard = r->id;
  fx->result.fence = r->fence;
  return r;
}

// The by-value form of an in-place plan: plans on a copy and returns it in the plan.
template <typename InPlace>
CoordResult<ShardPlan> on_copy(ShardRecord&& r, InPlace in_place) {
  ShardPlan p;
  p.shard = std::move(r);
  CowRecord rec(&p.shard);
  if (auto e = in_place(&rec, static_cast<PlanEffects*>(&p))) return *e;
  return p;
}

std::optional<CoordError> check_cursor(const ShardRecord& r, const Cursor& c, const Mutations& m) {
  if (c.last_key.empty()) return coord_error(CoordErrc::CursorMissing, "cursor.last_key is required");
  if (!m.allow_cursor_regression && !r.cursor.last_key.empty() && key_less(c.last_key, r.cursor.last_key))
    return coord_error(CoordErrc::CursorRegression, "cursor must not move backwards");
  if (!r.spec.contains(c.last_key))
    return coord_error(CoordErrc::CursorOutOfBounds, "cursor.last_key lies outside the shard's [start, end)");
  if (c.last_key.size() > kKeyBytesMax || c.token.size() > kTokenBytesMax)
    return coord_error(CoordErrc::CursorTooLarge, "cursor exceeds the size limits (key 4 KiB, token 16 KiB)");
  return std::nullopt;
}

ShardRecord derived_record(const ShardRecord& parent, ShardId id, KeyRange spec) {
  ShardRecord c;
  c.tenant = parent.tenant;
  c.run = parent.run;
  c.id = id;
  c.status = ShardStatus::Active;
  c.spec = std::move(spec);
  c.fence = 1;
  c.parent = parent.id;
  return c;
}

std::optional<CoordError> check_shard_budget(const RunRecord& run, uint64_t extra) {
  if (run.shard_count + extra > kShardsPerRunMax)
    return coord_error(CoordErrc::LimitExceeded, "the run has reached its shard limit");
  return std::nullopt;
}

// Indices of the children in range order (ids follow the request index, so a replay
// re-derives the same ids in the same order).
std::vector<uint32_t> range_order(const std::vector<KeyRange>& children) {
  std::vector<uint32_t> order(children.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return children[a].start < children[b].start; });
  return order;
}

// The children, taken in `order` (sorted by start), exactly tile `parent`: first start
// = parent start, last end = parent end, each end = next start, each start < end.
// Sorting indices instead of a copy of the ranges gives the same verdict: children
// with equal starts fail (the first of them must end where it starts) in either order.
bool tiles(const KeyRange& parent, const std::vector<KeyRange>& children, const std::vector<uint32_t>& order,
           bool allow_gaps) {
  auto kid = [&](size_t i) -> const KeyRange& { return children[order[i]]; };
  const size_t n = order.size();
  if (kid(0).start != parent.start || kid(n - 1).end != parent.end) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!kid(i).well_formed()) return false;
    if (i + 1 < n) {
      if (kid(i).end.empty()) return false;  // only the last child may be unbounded
      if (!allow_gaps && kid(i).end != kid(i + 1).start) return false;
      if (allow_gaps && kid(i).end > kid(i + 1).start) return false;  // the mutation permits gaps only
    }
  }
  return true;
}

}  // namespace

std::optional<CoordError> validate_lease(const ShardRecord& r, const LeaseToken& lease, int64_t now_ms,
                                         const Mutations& m) {
  if (lease.ref.tenant != r.tenant)
    return coord_error(CoordErrc::TenantMismatch, "the lease's tenant does not own this shard");
  if (is_terminal(r.status))
    return coord_error(CoordErrc::ShardTerminal, "the shard is terminal (Done, Split or Parked)");
  if (!m.skip_fence_check && lease.fence != r.fence)
    return coord_error(CoordErrc::StaleFence, "the presented fence is not current; re-acquire the shard");
  if (!r.lease.has_value() || r.lease->owner != lease.owner)
    return coord_error(CoordErrc::StaleFence, "the shard is not leased to this worker; re-acquire the shard");
  if (!r.lease->live_at(now_ms))
    return coord_error(CoordErrc::LeaseExpired, "the lease has expired; re-acquire the shard");
  return std::nullopt;
}

bool claimable(const ShardRecord& r, int64_t now_ms) {
  return r.status == ShardStatus::Active && !(r.lease.has_value() && r.lease->live_at(now_ms));
}

RunRecord new_run_record(const CreateRunOp& op) {
  RunRecord r;
  r.tenant = op.tenant;
  r.run = op.run;
  r.status = RunStatus::Active;
  r.config = op.config;
  return r;
}

std::optional<CoordError> validate_create_run(const CreateRunOp& op) {
  if (op.config.lease_duration_ms <= 0)
    return coord_error(CoordErrc::InvalidArgument, "lease_duration_ms must be positive");
  if (op.config.claim_cooldown_ms < 0)
    return coord_error(CoordErrc::InvalidArgument, "claim_cooldown_ms must be non-negative");
  return std::nullopt;
}

CoordResult<RunPlan> plan_register_shards(const RunRecord& run, const RegisterShardsOp& op,
                                          const std::vector<bool>& already_exists, const Mutations& m) {
  SQ_ASSERT_EQ(already_exists.size(), op.shards.size());
  const uint64_t hash = payload_hash(Request{op});
  if (auto early = run_idempotency(run, op.op_id, hash, m)) return std::move(*early);
  if (op.tenant != run.tenant) return coord_error(CoordErrc::TenantMismatch, "the run belongs to another tenant");
  if (run.status != RunStatus::Active) return coord_error(CoordErrc::RunTerminal, "the run is finished");
  if (op.shards.empty()) return coord_error(CoordErrc::InvalidArgument, "register at least one shard");
  if (op.shards.size() > kRegisterBatchMax)
    return coord_error(CoordErrc::LimitExceeded, "register at most 1024 shards per call");
  for (const auto& s : op.shards) {
    if (is_derived(s.id)) return coord_error(CoordErrc::DerivedIdNotAllowed, "root shard ids must not have bit 63 set");
    if (!s.spec.well_formed()) return coord_error(CoordErrc::InvalidSpec, "shard spec start must be below its end");
  }
  std::vector<RootSpec> sorted = op.shards;
  std::sort(sorted.begin(), sorted.end(), [](const RootSpec& a, const RootSpec& b) { return a.id < b.id; });
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    if (sorted[i].id == sorted[i + 1].id) return coord_error(CoordErrc::InvalidArgument, "duplicate shard id in batch");
  }
  std::vector<KeyRange> roots = run.roots.vec();
  for (const auto& s : op.shards) roots.push_back(s.spec);
  std::sort(roots.begin(), roots.end(), [](const KeyRange& a, const KeyRange& b) { return a.start < b.start; });
  for (size_t i = 0; i + 1 < roots.size(); ++i) {
    if (roots[i].end.empty() || roots[i].end > roots[i + 1].start)
      return coord_error(CoordErrc::SpecOverlap, "shard ranges overlap each other or an existing root");
  }
  if (roots.size() > kRootsPerRunMax) return coord_error(CoordErrc::LimitExceeded, "too many root shards in the run");
  if (auto e = check_shard_budget(run, op.shards.size())) return *e;
  for (bool exists : already_exists) {
    if (exists) return coord_error(CoordErrc::ShardExists, "a shard with this id already exists");
  }
  RunPlan p;
  p.run = run;
  p.run.roots = std::move(roots);
  p.run.shard_count += op.shards.size();
  p.run.op_log.append(OpLogEntry{op.op_id, OpKind::RegisterShards, hash});
  for (const auto& s : op.shards) {
    ShardRecord r;
    r.tenant = op.tenant;
    r.run = op.run;
    r.id = s.id;
    r.spec = s.spec;
    p.created.push_back(std::move(r));
  }
  return p;
}

namespace {

void grant_lease(ShardRecord* r, WorkerId worker, int64_t now_ms, const RunConfig& config, OpResult* result) {
  r->fence += 1;
  r->lease = Lease{worker, now_ms + config.lease_duration_ms};
  result->shard = r->id;
  result->fence = r->fence;
  result->deadline_ms = r->lease->deadline_ms;
  result->spec = r->spec;
  result->cursor = r->cursor;
}

}  // namespace

std::optional<CoordError> check_claim_next(const RunRecord& run, const ClaimNextOp& op, int64_t now_ms,
                                           const Mutations& m) {
  if (op.tenant != run.tenant) return coord_error(CoordErrc::TenantMismatch, "the run belongs to another tenant");
  if (run.status != RunStatus::Active) return coord_error(CoordErrc::RunTerminal, "the run is finished");
  auto stamp = std::lower_bound(run.claims.begin(), run.claims.end(), op.worker,
                                [](const ClaimStamp& s, WorkerId w) { return s.worker < w; });
  const bool has_stamp = stamp != run.claims.end() && stamp->worker == op.worker;
  if (!m.ignore_claim_cooldown && has_stamp && now_ms < stamp->at_ms + run.config.claim_cooldown_ms)
    return coord_error(CoordErrc::ClaimCooldown, "this worker claimed too recently; wait for the claim cooldown");
  return std::nullopt;
}

PlanError plan_claim_next_in_place(const RunRecord& run, ShardRecord* candidate, const ClaimNextOp& op, int64_t now_ms,
                                   const Mutations& m, PlanEffects* fx) {
  if (auto e = check_claim_next(run, op, now_ms, m)) return *e;
  return plan_claim_candidate_in_place(run, candidate, op, now_ms, fx);
}

PlanError plan_claim_candidate_in_place(const RunRecord& run, ShardRecord* candidate, const ClaimNextOp& op,
                                        int64_t now_ms, PlanEffects* fx) {
  auto stamp = std::lower_bound(run.claims.begin(), run.claims.end(), op.worker,
                                [](const ClaimStamp& s, WorkerId w) { return s.worker < w; });
  const bool has_stamp = stamp != run.claims.end() && stamp->worker == op.worker;
  if (candidate == nullptr) return coord_error(CoordErrc::NoShardAvailable, "no Active shard is free to claim");
  SQ_ASSERT(claimable(*candidate, now_ms));
  RunRecord& next = fx->run.emplace(run);
  if (has_stamp) {
    next.claims[static_cast<size_t>(stamp - run.claims.begin())].at_ms = now_ms;
  } else {
    if (next.claims.size() >= kClaimStampsMax) {
      // Stamps whose cooldown has passed carry no information any more.
      std::erase_if(next.claims, [&](const ClaimStamp& s) { return s.at_ms + run.config.claim_cooldown_ms <= now_ms; });
    }
    if (next.claims.size() >= kClaimStampsMax) {
      fx->run.reset();
      return coord_error(CoordErrc::LimitExceeded, "too many workers are claiming in this run");
    }
    auto pos = std::lower_bound(next.claims.begin(), next.claims.end(), op.worker,
                                [](const ClaimStamp& s, WorkerId w) { return s.worker < w; });
    next.claims.insert(pos, ClaimStamp{op.worker, now_ms});
  }
  grant_lease(candidate, op.worker, now_ms, run.config, &fx->result);
  return std::nullopt;
}

CoordResult<ShardPlan> plan_claim_next(const RunRecord& run, const ShardRecord* candidate, const ClaimNextOp& op,
                                       int64_t now_ms, const Mutations& m) {
  ShardPlan p;
  if (candidate != nullptr) p.shard = *candidate;
  if (auto e = plan_claim_next_in_place(run, candidate != nullptr ? &p.shard : nullptr, op, now_ms, m, &p)) return *e;
  return p;
}

PlanError plan_acquire_in_place(CowRecord* rec, const RunConfig& config, const AcquireOp& op, int64_t now_ms,
                                const Mutations& m, PlanEffects* fx) {
  const ShardRecord* r = &rec->get();
  if (op.ref.tenant != r->tenant) return coord_error(CoordErrc::TenantMismatch, "the shard belongs to another tenant");
  if (is_terminal(r->status))
    return coord_error(CoordErrc::ShardTerminal, "the shard is terminal (Done, Split or Parked)");
  // A live lease held by the same worker may be re-acquired (this is how a worker
  // recovers from an ambiguous acquire); it still raises the fence.
  if (!m.acquire_ignores_live_lease && r->lease.has_value() && r->lease->live_at(now_ms) &&
      r->lease->owner != op.worker)
    return coord_error(CoordErrc::LeaseHeld, "another worker holds a live lease on the shard");
  grant_lease(rec->write(), op.worker, now_ms, config, &fx->result);
  return std::nullopt;
}

PlanError plan_renew_in_place(CowRecord* rec, const RunConfig& config, const RenewOp& op, int64_t now_ms,
                              const Mutations& m, PlanEffects* fx) {
  if (auto e = validate_lease(rec->get(), op.lease, now_ms, m)) return *e;
  ShardRecord* r = rec->write();
  r->lease->deadline_ms = now_ms + config.lease_duration_ms;
  fx->result.shard = r->id;
  fx->result.fence = r->fence;
  fx->result.deadline_ms = r->lease->deadline_ms;
  return std::nullopt;
}

PlanError plan_checkpoint_in_place(CowRecord* rec, const CheckpointOp& op, int64_t now_ms, const Mutations& m,
                                   PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) return e;
  if (auto e = validate_lease(cur, op.lease, now_ms, m)) return *e;
  if (auto e = check_cursor(cur, op.cursor, m)) return *e;
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::Checkpoint, hash, fx);
  r->cursor = op.cursor;
  return std::nullopt;
}

PlanError plan_complete_in_place(CowRecord* rec, const CompleteOp& op, int64_t now_ms, const Mutations& m,
                                 PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) return e;
  if (auto e = validate_lease(cur, op.lease, now_ms, m)) return *e;
  const bool advances = !op.final_cursor.last_key.empty();
  if (advances) {
    if (auto e = check_cursor(cur, op.final_cursor, m)) return *e;
  }
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::Complete, hash, fx);
  if (advances) r->cursor = op.final_cursor;
  r->status = ShardStatus::Done;
  r->lease.reset();
  return std::nullopt;
}

PlanError plan_park_in_place(CowRecord* rec, const ParkOp& op, int64_t now_ms, const Mutations& m, PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) return e;
  if (auto e = validate_lease(cur, op.lease, now_ms, m)) return *e;
  if (op.reason.empty()) return coord_error(CoordErrc::InvalidArgument, "park needs a reason");
  if (op.reason.size() > kParkReasonBytesMax)
    return coord_error(CoordErrc::InvalidArgument, "park reason exceeds 1 KiB");
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::Park, hash, fx);
  r->status = ShardStatus::Parked;
  r->park_reason = op.reason;
  r->lease.reset();
  return std::nullopt;
}

PlanError plan_split_replace_in_place(CowRecord* rec, const RunRecord& run, const SplitReplaceOp& op, int64_t now_ms,
                                      const Mutations& m, PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) {
    // A replay also reports the children it made, re-derived from the request.
    if (!e) {
      for (uint32_t i : range_order(op.children))
        fx->result.spawned.push_back(derive_shard_id(cur.run, cur.id, op.op_id, OpKind::SplitReplace, i));
    }
    return e;
  }
  if (auto e = validate_lease(cur, op.lease, now_ms, m)) return *e;
  if (op.children.size() < kSplitChildrenMin || op.children.size() > kSplitChildrenMax)
    return coord_error(CoordErrc::SplitChildCount, "split_replace needs 2 to 256 children");
  const std::vector<uint32_t> order = range_order(op.children);
  if (!tiles(cur.spec, op.children, order, m.split_with_gap))
    return coord_error(CoordErrc::SplitCoverage, "children must tile the parent range exactly (no gap, no overlap)");
  if (auto e = check_shard_budget(run, op.children.size())) return *e;
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::SplitReplace, hash, fx);
  r->status = ShardStatus::Split;
  r->lease.reset();
  // Children are created in range order; their ids follow their index in the request,
  // which is what a replay re-derives.
  for (uint32_t i : order) {
    ShardId id = derive_shard_id(r->run, r->id, op.op_id, OpKind::SplitReplace, i);
    r->spawned.push_back(Spawned{id, SpawnKind::Child});
    fx->created.push_back(derived_record(*r, id, op.children[i]));
    fx->result.spawned.push_back(id);
  }
  fx->run = run;
  fx->run->shard_count += op.children.size();
  return std::nullopt;
}

PlanError plan_split_residual_in_place(CowRecord* rec, const RunRecord& run, const SplitResidualOp& op, int64_t now_ms,
                                       const Mutations& m, PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) {
    // A replay also reports the residual it made, re-derived from the request.
    if (!e) fx->result.spawned.push_back(derive_shard_id(cur.run, cur.id, op.op_id, OpKind::SplitResidual, 0));
    return e;
  }
  if (auto e = validate_lease(cur, op.lease, now_ms, m)) return *e;
  const KeyRange& old = cur.spec;
  const KeyRange& np = op.new_parent;
  const KeyRange& res = op.residual;
  const bool halves_ok = np.well_formed() && res.well_formed();
  const bool parent_first = np.start == old.start && !np.end.empty() &&
                            (m.residual_with_gap ? np.end <= res.start : np.end == res.start) && res.end == old.end;
  const bool residual_first = res.start == old.start && !res.end.empty() &&
                              (m.residual_with_gap ? res.end <= np.start : res.end == np.start) && np.end == old.end;
  if (!halves_ok || !(parent_first || residual_first))
    return coord_error(CoordErrc::ResidualCoverage, "new parent and residual must partition the shard's range");
  if (!cur.cursor.last_key.empty() && !np.contains(cur.cursor.last_key))
    return coord_error(CoordErrc::ResidualCursorOutside, "the shard's cursor must stay inside the new parent range");
  size_t residuals = 0;
  for (const auto& s : cur.spawned) residuals += s.kind == SpawnKind::Residual;
  if (residuals >= kResidualsPerShardMax)
    return coord_error(CoordErrc::LimitExceeded, "the shard has reached its residual limit (64)");
  if (auto e = check_shard_budget(run, 1)) return *e;
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::SplitResidual, hash, fx);
  ShardId id = derive_shard_id(r->run, r->id, op.op_id, OpKind::SplitResidual, 0);
  r->spec = np;
  r->spawned.push_back(Spawned{id, SpawnKind::Residual});
  fx->created.push_back(derived_record(*r, id, res));
  fx->result.spawned.push_back(id);
  fx->run = run;
  fx->run->shard_count += 1;
  return std::nullopt;
}

PlanError plan_unpark_in_place(CowRecord* rec, const UnparkOp& op, int64_t /*now_ms*/, const Mutations& m,
                               PlanEffects* fx) {
  const uint64_t hash = payload_hash(op);
  const ShardRecord& cur = rec->get();
  if (PlanError e; settled_by_op_log(cur, op.op_id, hash, m, fx, &e)) return e;
  if (op.ref.tenant != cur.tenant) return coord_error(CoordErrc::TenantMismatch, "the shard belongs to another tenant");
  if (cur.status != ShardStatus::Parked)
    return coord_error(CoordErrc::NotParked, "only a Parked shard can be unparked");
  ShardRecord* r = mutation_plan(rec, op.op_id, OpKind::Unpark, hash, fx);
  r->status = ShardStatus::Active;
  r->park_reason.clear();
  r->lease.reset();
  r->fence += 1;
  fx->result.fence = r->fence;
  return std::nullopt;
}

CoordResult<ShardPlan> plan_acquire(ShardRecord r, const RunConfig& config, const AcquireOp& op, int64_t now_ms,
                                    const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_acquire_in_place(x, config, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_renew(ShardRecord r, const RunConfig& config, const RenewOp& op, int64_t now_ms,
                                  const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_renew_in_place(x, config, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_checkpoint(ShardRecord r, const CheckpointOp& op, int64_t now_ms, const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_checkpoint_in_place(x, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_complete(ShardRecord r, const CompleteOp& op, int64_t now_ms, const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_complete_in_place(x, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_park(ShardRecord r, const ParkOp& op, int64_t now_ms, const Mutations& m) {
  return on_copy(std::move(r), [&](CowRecord* x, PlanEffects* fx) { return plan_park_in_place(x, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_split_replace(ShardRecord r, const RunRecord& run, const SplitReplaceOp& op, int64_t now_ms,
                                          const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_split_replace_in_place(x, run, op, now_ms, m, fx); });
}

CoordResult<ShardPlan> plan_split_residual(ShardRecord r, const RunRecord& run, const SplitResidualOp& op,
                                           int64_t now_ms, const Mutations& m) {
  return on_copy(std::move(r), [&](CowRecord* x, PlanEffects* fx) {
    return plan_split_residual_in_place(x, run, op, now_ms, m, fx);
  });
}

CoordResult<ShardPlan> plan_unpark(ShardRecord r, const UnparkOp& op, int64_t now_ms, const Mutations& m) {
  return on_copy(std::move(r),
                 [&](CowRecord* x, PlanEffects* fx) { return plan_unpark_in_place(x, op, now_ms, m, fx); });
}

CoordResult<RunPlan> plan_finish_run(const RunRecord& run, const FinishRunOp& op, bool shards_finished,
                                     const Mutations& m) {
  const uint64_t hash = payload_hash(Request{op});
  if (auto early = run_idempotency(run, op.op_id, hash, m)) return std::move(*early);
  if (op.tenant != run.tenant) return coord_error(CoordErrc::TenantMismatch, "the run belongs to another tenant");
  if (run.status != RunStatus::Active) return coord_error(CoordErrc::RunTerminal, "the run is already finished");
  if (!shards_finished)
    return coord_error(CoordErrc::RunNotFinished, "every shard must be Done or Split before the run can finish");
  RunPlan p;
  p.run = run;
  p.run.status = RunStatus::Done;
  p.run.op_log.append(OpLogEntry{op.op_id, OpKind::FinishRun, hash});
  return p;
}

}  // namespace squall::coord
