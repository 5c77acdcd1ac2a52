// Pure-model tests: payload hashes, derived ids, purity of plans, and that every
// mutation switch really changes the behaviour it names (else the simulator's
// mutation tests would prove nothing).
#include "coord/model.h"

#include <gtest/gtest.h>

#include <set>

namespace squall::coord {
namespace {

ShardRecord leased(ShardId id = 1) {
  ShardRecord r;
  r.tenant = 1;
  r.run = 2;
  r.id = id;
  r.spec = {"b", "y"};
  r.fence = 3;
  r.lease = Lease{7, 1000};
  return r;
}

RunRecord run_of() {
  RunRecord run;
  run.tenant = 1;
  run.run = 2;
  run.config = RunConfig{500, 100};
  run.shard_count = 1;
  return run;
}

LeaseToken token(const ShardRecord& r) { return LeaseToken{r.ref(), 7, r.fence}; }

TEST(PayloadHash, CoversEveryField) {
  CheckpointOp base{LeaseToken{{1, 2, 3}, 4, 5}, {"k", "t"}, 6};
  std::set<uint64_t> seen{payload_hash(Request{base})};
  auto vary = [&](auto f) {
    CheckpointOp c = base;
    f(c);
    EXPECT_TRUE(seen.insert(payload_hash(Request{c})).second);
  };
  vary([](CheckpointOp& c) { c.lease.ref.tenant = 9; });
  vary([](CheckpointOp& c) { c.lease.ref.run = 9; });
  vary([](CheckpointOp& c) { c.lease.ref.shard = 9; });
  vary([](CheckpointOp& c) { c.lease.owner = 9; });
  vary([](CheckpointOp& c) { c.lease.fence = 9; });
  vary([](CheckpointOp& c) { c.cursor.last_key = "kk"; });
  vary([](CheckpointOp& c) { c.cursor.token = "tt"; });
  // Field boundaries matter: ("k","t") vs ("kt","").
  vary([](CheckpointOp& c) { c.cursor = {"kt", ""}; });
  // The op_id itself is not payload: a retry keeps its hash.
  CheckpointOp same = base;
  same.op_id = 99;
  EXPECT_EQ(payload_hash(Request{same}), payload_hash(Request{base}));
  // Different kinds with the same fields differ.
  CompleteOp complete{base.lease, base.cursor, 6};
  EXPECT_NE(payload_hash(Request{complete}), payload_hash(Request{base}));
}

TEST(DerivedIds, PureAndTagged) {
  ShardId a = derive_shard_id(1, 2, 3, OpKind::SplitReplace, 0);
  EXPECT_EQ(a, derive_shard_id(1, 2, 3, OpKind::SplitReplace, 0));
  EXPECT_TRUE(is_derived(a));
  std::set<ShardId> ids{a};
  EXPECT_TRUE(ids.insert(derive_shard_id(9, 2, 3, OpKind::SplitReplace, 0)).second);
  EXPECT_TRUE(ids.insert(derive_shard_id(1, 9, 3, OpKind::SplitReplace, 0)).second);
  EXPECT_TRUE(ids.insert(derive_shard_id(1, 2, 9, OpKind::SplitReplace, 0)).second);
  EXPECT_TRUE(ids.insert(derive_shard_id(1, 2, 3, OpKind::SplitResidual, 0)).second);
  EXPECT_TRUE(ids.insert(derive_shard_id(1, 2, 3, OpKind::SplitReplace, 1)).second);
}

TEST(Plans, DoNotMutateInputs) {
  ShardRecord r = leased();
  ShardRecord copy = r;
  RunRecord run = run_of();
  Mutations m;
  (void)plan_checkpoint(r, CheckpointOp{token(r), {"c", ""}, 1}, 10, m);
  (void)plan_split_replace(r, run, SplitReplaceOp{token(r), {{"b", "c"}, {"c", "y"}}, 2}, 10, m);
  (void)plan_acquire(r, run.config, AcquireOp{r.ref(), 8}, 2000, m);
  EXPECT_EQ(r, copy);
}

TEST(Plans, LeaseValidationOrder) {
  ShardRecord r = leased();
  Mutations m;
  LeaseToken t = token(r);
  EXPECT_EQ(validate_lease(r, t, 999, m), std::nullopt);
  EXPECT_EQ(validate_lease(r, t, 1000, m)->code, CoordErrc::LeaseExpired);
  LeaseToken bad = t;
  bad.fence = 2;
  EXPECT_EQ(validate_lease(r, bad, 5000, m)->code, CoordErrc::StaleFence);
  bad = t;
  bad.owner = 8;
  EXPECT_EQ(validate_lease(r, bad, 5000, m)->code, CoordErrc::StaleFence);
  r.status = ShardStatus::Done;
  r.lease.reset();
  EXPECT_EQ(validate_lease(r, bad, 5000, m)->code, CoordErrc::ShardTerminal);
  bad.ref.tenant = 5;
  EXPECT_EQ(validate_lease(r, bad, 5000, m)->code, CoordErrc::TenantMismatch);
}

TEST(Mutations, SkipFenceCheckAcceptsOldFenceOfSameOwner) {
  ShardRecord r = leased();
  LeaseToken old = token(r);
  old.fence = r.fence - 1;
  Mutations m;
  EXPECT_FALSE(plan_checkpoint(r, CheckpointOp{old, {"c", ""}, 1}, 10, m).ok());
  m.skip_fence_check = true;
  EXPECT_TRUE(plan_checkpoint(r, CheckpointOp{old, {"c", ""}, 1}, 10, m).ok());
}

TEST(Mutations, AllowCursorRegression) {
  ShardRecord r = leased();
  r.cursor.last_key = "m";
  Mutations m;
  EXPECT_EQ(plan_checkpoint(r, CheckpointOp{token(r), {"c", ""}, 1}, 10, m).error().code, CoordErrc::CursorRegression);
  m.allow_cursor_regression = true;
  EXPECT_TRUE(plan_checkpoint(r, CheckpointOp{token(r), {"c", ""}, 1}, 10, m).ok());
}

TEST(Mutations, SplitWithGap) {
  ShardRecord r = leased();
  RunRecord run = run_of();
  SplitReplaceOp gap{token(r), {{"b", "c"}, {"d", "y"}}, 1};
  Mutations m;
  EXPECT_EQ(plan_split_replace(r, run, gap, 10, m).error().code, CoordErrc::SplitCoverage);
  m.split_with_gap = true;
  EXPECT_TRUE(plan_split_replace(r, run, gap, 10, m).ok());
}

TEST(Mutations, NoIdempotencyReappliesReplay) {
  ShardRecord r = leased();
  CheckpointOp op{token(r), {"c", ""}, 1};
  Mutations m;
  auto first = plan_checkpoint(r, op, 10, m);
  ASSERT_TRUE(first.ok());
  ShardRecord after = first->shard;
  auto again = plan_checkpoint(after, op, 11, m);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->write);
  m.no_idempotency = true;
  auto broken = plan_checkpoint(after, op, 11, m);
  ASSERT_TRUE(broken.ok());
  EXPECT_TRUE(broken->write);
  EXPECT_NE(check_invariants(broken->shard), nullptr);  // duplicate op_id in the log
}

TEST(Mutations, AcquireIgnoresLiveLease) {
  ShardRecord r = leased();
  Mutations m;
  EXPECT_EQ(plan_acquire(r, RunConfig{500, 0}, AcquireOp{r.ref(), 8}, 10, m).error().code, CoordErrc::LeaseHeld);
  m.acquire_ignores_live_lease = true;
  EXPECT_TRUE(plan_acquire(r, RunConfig{500, 0}, AcquireOp{r.ref(), 8}, 10, m).ok());
}

TEST(Mutations, IgnoreClaimCooldown) {
  RunRecord run = run_of();
  run.claims = {{4, 100}};
  ShardRecord r = leased();
  r.lease.reset();
  Mutations m;
  EXPECT_EQ(plan_claim_next(run, &r, ClaimNextOp{1, 2, 4}, 150, m).error().code, CoordErrc::ClaimCooldown);
  m.ignore_claim_cooldown = true;
  EXPECT_TRUE(plan_claim_next(run, &r, ClaimNextOp{1, 2, 4}, 150, m).ok());
}

TEST(Mutations, ResidualWithGap) {
  ShardRecord r = leased();
  RunRecord run = run_of();
  SplitResidualOp gap{token(r), {"b", "f"}, {"g", "y"}, 1};
  Mutations m;
  EXPECT_EQ(plan_split_residual(r, run, gap, 10, m).error().code, CoordErrc::ResidualCoverage);
  m.residual_with_gap = true;
  EXPECT_TRUE(plan_split_residual(r, run, gap, 10, m).ok());
}

TEST(Mutations, NamesRoundTrip) {
  for (auto name : model_mutation_names()) {
    Mutations m;
    EXPECT_TRUE(set_model_mutation(name, &m)) << name;
    EXPECT_TRUE(m.any()) << name;
  }
  Mutations m;
  EXPECT_FALSE(set_model_mutation("no-such-mutation", &m));
  EXPECT_FALSE(m.any());
}

}  // namespace
}  // namespace squall::coord
