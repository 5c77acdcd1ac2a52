#include "coord/coordinator.h"

#include <type_traits>

#include "core/assert.h"

namespace squall::coord {

namespace {

// Finds the lowest-id claimable shard (the default first_claimable).
class FirstClaimable final : public ShardVisitor {
 public:
  FirstClaimable(int64_t now_ms, ShardRecord* out) : now_ms_(now_ms), out_(out) {}
  bool visit(const ShardRecord& r, Revision rev) override {
    if (!claimable(r, now_ms_)) return true;
    *out_ = r;
    revision = rev;
    return false;
  }
  Revision revision = 0;

 private:
  int64_t now_ms_;
  ShardRecord* out_;
};

}  // namespace

StoreStatus RecordStore::first_claimable(RunId run, int64_t now_ms, ShardRecord* out, Revision* revision) {
  FirstClaimable scan(now_ms, out);
  StoreStatus s = scan_shards(run, &scan);
  *revision = s == StoreStatus::Ok ? scan.revision : 0;
  return s;
}

Coordinator::Coordinator(RecordStore* store, Mutations mutations, InvariantPolicy policy)
    : store_(store), mutations_(mutations), policy_(policy) {
  SQ_ASSERT(store_ != nullptr);
}

CoordError Coordinator::store_error(StoreStatus s) {
  switch (s) {
    case StoreStatus::Unavailable:
      return coord_error(CoordErrc::Unavailable, "the backend is unavailable; nothing was written, retry later");
    case StoreStatus::Indeterminate:
      return coord_error(CoordErrc::Indeterminate, "the write may or may not have happened; retry with the same op_id");
    case StoreStatus::Conflict:
      return coord_error(CoordErrc::Contention, "lost the compare-and-swap race too many times; retry later");
    case StoreStatus::Ok: break;
  }
  SQ_UNREACHABLE("store_error(Ok)");
}

void Coordinator::check(const ShardRecord& r) {
  const char* v = check_invariants(r);
  if (v == nullptr) return;
  SQ_ASSERT_MSG(policy_ == InvariantPolicy::Report, v << " (shard " << r.id << ")");
  if (violations_++ == 0) first_violation_ = v;
}

void Coordinator::check(const RunRecord& r) {
  const char* v = check_invariants(r);
  if (v == nullptr) return;
  SQ_ASSERT_MSG(policy_ == InvariantPolicy::Report, v << " (run " << r.run << ")");
  if (violations_++ == 0) first_violation_ = v;
}

CoordResult<RunConfig> Coordinator::config_of(RunId run) {
  auto it = configs_.find(run);
  if (it != configs_.end()) return it->second;
  Revision rev = 0;
  StoreStatus s = read_run(run, &rev);
  if (s != StoreStatus::Ok) return store_error(s);
  if (rev == 0) return coord_error(CoordErrc::RunNotFound, "no such run");
  configs_.emplace(run, run_scratch_.config);
  return run_scratch_.config;
}

StoreStatus Coordinator::read_run(RunId run, Revision* revision) {
  const Revision have = run_scratch_run_ == run ? run_scratch_rev_ : 0;
  run_scratch_rev_ = 0;  // unknown until the read succeeds
  StoreStatus s = store_->get_run_if_changed(run, have, &run_scratch_, revision);
  if (s != StoreStatus::Ok || *revision == 0) return s;  // failed or absent: nothing cached
  run_scratch_run_ = run;
  run_scratch_rev_ = *revision;
  return s;
}

// Defined before apply(), its only user: clang 14 rejects calling a member template with
// a lambda (a type without linkage) before the template's definition has been seen.
template <typename PlanFn>
Reply Coordinator::do_shard_op(const ShardRef& ref, bool needs_run, PlanFn plan_fn) {
  for (int attempt = 0; attempt < kCasAttemptsMax; ++attempt) {
    Revision rev = 0;
    ShardRecord* target = begin_shard_txn();
    const ShardRecord* current = nullptr;
    StoreStatus s = store_->view_shard(ref.run, ref.shard, target, &current, &rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (rev == 0) return coord_error(CoordErrc::ShardNotFound, "no such shard in this run");
    Revision run_rev = 0;
    if (needs_run) {
      s = read_run(ref.run, &run_rev);
      if (s != StoreStatus::Ok) return store_error(s);
      if (run_rev == 0) return coord_error(CoordErrc::RunNotFound, "no such run");
    }
    // Planned on the store's view: only an op that will write copies the record into
    // the transaction (CowRecord), so rejections and replays copy nothing.
    CowRecord record(current, target);
    if (auto e = plan_fn(&record, needs_run ? &run_scratch_ : nullptr, &fx_)) return *e;
    if (!fx_.write) return planned_result();
    SQ_ASSERT(record.written());
    s = commit_planned(rev, needs_run ? &run_scratch_ : nullptr, run_rev);
    if (s == StoreStatus::Conflict) continue;
    if (s != StoreStatus::Ok) return store_error(s);
    return planned_result();
  }
  return store_error(StoreStatus::Conflict);
}

Reply Coordinator::apply(const Request& request, int64_t now_ms) {
  return std::visit(
      [&](const auto& op) -> Reply {
        using T = std::decay_t<decltype(op)>;
        const Mutations& m = mutations_;
        if constexpr (std::is_same_v<T, CreateRunOp>) {
          return do_create_run(op);
        } else if constexpr (std::is_same_v<T, RegisterShardsOp>) {
          return do_register(op, now_ms);
        } else if constexpr (std::is_same_v<T, ClaimNextOp>) {
          return do_claim_next(op, now_ms);
        } else if constexpr (std::is_same_v<T, FinishRunOp>) {
          return do_finish_run(op);
        } else if constexpr (std::is_same_v<T, AcquireOp>) {
          auto cfg = config_of(op.ref.run);
          if (!cfg.ok()) return cfg.error();
          RunConfig c = cfg.value();
          return do_shard_op(op.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_acquire_in_place(r, c, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, RenewOp>) {
          auto cfg = config_of(op.lease.ref.run);
          if (!cfg.ok()) return cfg.error();
          RunConfig c = cfg.value();
          return do_shard_op(op.lease.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_renew_in_place(r, c, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, CheckpointOp>) {
          return do_shard_op(op.lease.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_checkpoint_in_place(r, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, CompleteOp>) {
          return do_shard_op(op.lease.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_complete_in_place(r, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, ParkOp>) {
          return do_shard_op(op.lease.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_park_in_place(r, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, SplitReplaceOp>) {
          return do_shard_op(op.lease.ref, true, [&](CowRecord* r, const RunRecord* run, PlanEffects* fx) {
            return plan_split_replace_in_place(r, *run, op, now_ms, m, fx);
          });
        } else if constexpr (std::is_same_v<T, SplitResidualOp>) {
          return do_shard_op(op.lease.ref, true, [&](CowRecord* r, const RunRecord* run, PlanEffects* fx) {
            return plan_split_residual_in_place(r, *run, op, now_ms, m, fx);
          });
        } else {
          static_assert(std::is_same_v<T, UnparkOp>);
          return do_shard_op(op.ref, false, [&](CowRecord* r, const RunRecord*, PlanEffects* fx) {
            return plan_unpark_in_place(r, op, now_ms, m, fx);
          });
        }
      },
      request);
}

Reply Coordinator::do_create_run(const CreateRunOp& op) {
  if (auto e = validate_create_run(op)) return *e;
  for (int attempt = 0; attempt < kCasAttemptsMax; ++attempt) {
    Revision rev = 0;
    StoreStatus s = read_run(op.run, &rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (rev != 0) return coord_error(CoordErrc::RunExists, "a run with this id already exists");
    txn_.clear();
    txn_.guards.push_back(Guard{op.run, true, 0, 0});
    txn_.run_puts.push_back(new_run_record(op));
    check(txn_.run_puts.back());
    s = store_->commit_consuming(&txn_);
    if (s == StoreStatus::Conflict) continue;
    if (s != StoreStatus::Ok) return store_error(s);
    OpResult r;
    return r;
  }
  return store_error(StoreStatus::Conflict);
}

Reply Coordinator::do_register(const RegisterShardsOp& op, int64_t /*now_ms*/) {
  for (int attempt = 0; attempt < kCasAttemptsMax; ++attempt) {
    Revision run_rev = 0;
    StoreStatus s = read_run(op.run, &run_rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (run_rev == 0) return coord_error(CoordErrc::RunNotFound, "no such run");
    // Existence of each requested id; only meaningful for batches within the limit
    // (larger ones are rejected by the plan before existence matters).
    const size_t probe = op.shards.size() <= kRegisterBatchMax ? op.shards.size() : 0;
    std::vector<bool> exists(op.shards.size(), false);
    for (size_t i = 0; i < probe; ++i) {
      Revision rev = 0;
      const ShardRecord* view = nullptr;  // only the revision matters: no copy
      s = store_->view_shard(op.run, op.shards[i].id, &shard_scratch_, &view, &rev);
      if (s != StoreStatus::Ok) return store_error(s);
      exists[i] = rev != 0;
    }
    auto plan = plan_register_shards(run_scratch_, op, exists, mutations_);
    if (!plan.ok()) return plan.error();
    if (!plan->write) return plan->result;
    txn_.clear();
    txn_.guards.push_back(Guard{op.run, true, 0, run_rev});
    for (const auto& c : plan->created) txn_.guards.push_back(Guard{op.run, false, c.id, 0});
    check(plan->run);
    txn_.run_puts.push_back(std::move(plan->run));
    for (auto& c : plan->created) {
      check(c);
      txn_.shard_puts.push_back(std::move(c));
    }
    s = store_->commit_consuming(&txn_);
    if (s == StoreStatus::Conflict) continue;
    if (s != StoreStatus::Ok) return store_error(s);
    return plan->result;
  }
  return store_error(StoreStatus::Conflict);
}

namespace {

// Whether every shard is Done or Split; stops at the first that is not.
class FinishScan final : public ShardVisitor {
 public:
  bool visit(const ShardRecord& r, Revision) override {
    finished = r.status == ShardStatus::Done || r.status == ShardStatus::Split;
    return finished;
  }
  bool finished = true;
};

}  // namespace

Reply Coordinator::do_claim_next(const ClaimNextOp& op, int64_t now_ms) {
  for (int attempt = 0; attempt < kCasAttemptsMax; ++attempt) {
    Revision run_rev = 0;
    StoreStatus s = read_run(op.run, &run_rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (run_rev == 0) return coord_error(CoordErrc::RunNotFound, "no such run");
    // The run-level checks first: a refused claim (cooldown, finished run) need not
    // look for a shard. The plan then goes on from there (plan_claim_next_in_place is
    // exactly these checks followed by plan_claim_candidate_in_place).
    if (auto e = check_claim_next(run_scratch_, op, now_ms, mutations_)) return *e;
    Revision shard_rev = 0;
    ShardRecord* target = begin_shard_txn();
    s = store_->first_claimable(op.run, now_ms, target, &shard_rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (auto e = plan_claim_candidate_in_place(run_scratch_, shard_rev != 0 ? target : nullptr, op, now_ms, &fx_))
      return *e;
    if (!fx_.write) return planned_result();
    s = commit_planned(shard_rev, &run_scratch_, run_rev);
    if (s == StoreStatus::Conflict) continue;
    if (s != StoreStatus::Ok) return store_error(s);
    return planned_result();
  }
  return store_error(StoreStatus::Conflict);
}

Reply Coordinator::do_finish_run(const FinishRunOp& op) {
  for (int attempt = 0; attempt < kCasAttemptsMax; ++attempt) {
    Revision run_rev = 0;
    StoreStatus s = read_run(op.run, &run_rev);
    if (s != StoreStatus::Ok) return store_error(s);
    if (run_rev == 0) return coord_error(CoordErrc::RunNotFound, "no such run");
    FinishScan scan;
    s = store_->scan_shards(op.run, &scan);
    if (s != StoreStatus::Ok) return store_error(s);
    auto plan = plan_finish_run(run_scratch_, op, scan.finished, mutations_);
    if (!plan.ok()) return plan.error();
    if (!plan->write) return plan->result;
    txn_.clear();
    // Only the run is guarded. The scan is one snapshot (etcd: every page at one
    // revision) in which every shard is Done or Split; both are terminal (S3), and new
    // shards only come from splitting an Active one, so no shard can change after it.
    // Guarding each shard as well would put one compare per shard in the transaction,
    // and etcd refuses transactions of more than --max-txn-ops operations.
    txn_.guards.push_back(Guard{op.run, true, 0, run_rev});
    check(plan->run);
    txn_.run_puts.push_back(std::move(plan->run));
    s = store_->commit_consuming(&txn_);
    if (s == StoreStatus::Conflict) continue;
    if (s != StoreStatus::Ok) return store_error(s);
    return plan->result;
  }
  return store_error(StoreStatus::Conflict);
}

void Coordinator::reset(OpResult* r) {
  // Field by field rather than `*r = OpResult{}`: the same default value, without
  // building a temporary and moving its four strings and vector in.
  r->replayed = false;
  r->shard = 0;
  r->fence = 0;
  r->deadline_ms = 0;
  r->spec.start.clear();
  r->spec.end.clear();
  r->cursor.last_key.clear();
  r->cursor.token.clear();
  r->spawned.clear();
}

Reply Coordinator::planned_result() {
  // Built once, straight into the caller's Reply (a named Reply returned from inside a
  // retry loop is moved once more), by move assignment into a default value: moving
  // a short string assigns only its bytes, while move-constructing one copies even an
  // empty string's terminator through memcpy.
  Reply reply(std::in_place);
  reply.value() = std::move(fx_.result);
  return reply;
}

ShardRecord* Coordinator::begin_shard_txn() {
  // The target stays in slot 0 across operations: reading into a record that already
  // has its buffers is cheaper than building one, and it is planned and committed from
  // there without another copy.
  txn_.guards.clear();
  txn_.run_puts.clear();
  txn_.shard_puts.resize(1);
  fx_.write = true;
  fx_.run.reset();
  fx_.created.clear();
  reset(&fx_.result);
  return &txn_.shard_puts[0];
}

StoreStatus Coordinator::commit_planned(Revision shard_rev, const RunRecord* run_read, Revision run_rev) {
  SQ_ASSERT(fx_.write);
  const ShardRecord& target = txn_.shard_puts[0];
  txn_.guards.push_back(Guard{target.run, false, target.id, shard_rev});
  if (fx_.run.has_value()) {
    SQ_ASSERT(run_read != nullptr);
    txn_.guards.push_back(Guard{fx_.run->run, true, 0, run_rev});
  }
  for (const auto& c : fx_.created) txn_.guards.push_back(Guard{c.run, false, c.id, 0});
  check(target);
  if (fx_.run.has_value()) {
    check(*fx_.run);
    txn_.run_puts.push_back(std::move(*fx_.run));
  }
  for (auto& c : fx_.created) {
    check(c);
    txn_.shard_puts.push_back(std::move(c));
  }
  return store_->commit_consuming(&txn_);
}

}  // namespace squall::coord
