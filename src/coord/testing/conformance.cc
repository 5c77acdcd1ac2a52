// Conformance cases: every operation, every error path, and the order of checks.
#include "coord/testing/conformance.h"

#include <algorithm>

namespace squall::coord::testing {

#define EXPECT_CODE(reply, expected)                                                   \
  do {                                                                                 \
    const auto& sq_r_ = (reply);                                                       \
    ASSERT_FALSE(sq_r_.ok()) << "expected " << to_string(expected) << ", got success"; \
    EXPECT_EQ(to_string(sq_r_.error().code), std::string(to_string(expected)));        \
  } while (0)

void CoordConformance::SetUp() {
  store_ = GetParam().make();
  coord_ = std::make_unique<Coordinator>(store_.get());
}

void CoordConformance::make_run() {
  ASSERT_TRUE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{kLeaseMs, kCooldownMs}}).ok());
  RegisterShardsOp reg{kTenant, kRun, {{kLow, {"", "m"}}, {kHigh, {"m", ""}}}, 900};
  auto r = coord_->register_shards(0, reg);
  ASSERT_TRUE(r.ok()) << to_string(r.error().code);
}

LeaseToken CoordConformance::acquire_ok(ShardId id, WorkerId worker, int64_t now_ms) {
  auto r = coord_->acquire(now_ms, AcquireOp{ref(id), worker});
  EXPECT_TRUE(r.ok()) << to_string(r.error().code);
  if (!r.ok()) return LeaseToken{};
  return LeaseToken{ref(id), worker, r->fence};
}

ShardRecord CoordConformance::read(ShardId id) {
  ShardRecord out;
  Revision rev = 0;
  EXPECT_EQ(store_->get_shard(kRun, id, &out, &rev), StoreStatus::Ok);
  EXPECT_NE(rev, 0u) << "shard " << id << " missing";
  return out;
}

RunRecord CoordConformance::read_run() {
  RunRecord out;
  Revision rev = 0;
  EXPECT_EQ(store_->get_run(kRun, &out, &rev), StoreStatus::Ok);
  EXPECT_NE(rev, 0u);
  return out;
}

// ---- runs and registration ----

TEST_P(CoordConformance, CreateRunOnceThenRunExists) {
  ASSERT_TRUE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{kLeaseMs, 0}}).ok());
  EXPECT_CODE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{kLeaseMs, 0}}), CoordErrc::RunExists);
  EXPECT_EQ(read_run().config.lease_duration_ms, kLeaseMs);
}

TEST_P(CoordConformance, CreateRunRejectsBadConfig) {
  EXPECT_CODE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{0, 0}}), CoordErrc::InvalidArgument);
  EXPECT_CODE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{10, -1}}), CoordErrc::InvalidArgument);
}

TEST_P(CoordConformance, RegisterCreatesActiveRootsWithFenceOne) {
  make_run();
  ShardRecord low = read(kLow);
  EXPECT_EQ(low.status, ShardStatus::Active);
  EXPECT_EQ(low.fence, 1u);
  EXPECT_FALSE(low.lease.has_value());
  EXPECT_FALSE(low.parent.has_value());
  EXPECT_EQ(low.spec, (KeyRange{"", "m"}));
  RunRecord run = read_run();
  EXPECT_EQ(run.shard_count, 2u);
  ASSERT_EQ(run.roots.size(), 2u);
  EXPECT_EQ(run.roots[0].end, "m");
}

TEST_P(CoordConformance, RegisterIsIdempotentByOpId) {
  make_run();
  RegisterShardsOp same{kTenant, kRun, {{kLow, {"", "m"}}, {kHigh, {"m", ""}}}, 900};
  auto r = coord_->register_shards(1, same);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->replayed);
  RegisterShardsOp other{kTenant, kRun, {{3, {"a", "b"}}}, 900};
  EXPECT_CODE(coord_->register_shards(1, other), CoordErrc::OpIdConflict);
}

TEST_P(CoordConformance, RegisterErrorPaths) {
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"a", "b"}}}, 1}),
              CoordErrc::RunNotFound);
  ASSERT_TRUE(coord_->create_run(CreateRunOp{kTenant, kRun, RunConfig{kLeaseMs, 0}}).ok());
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant + 1, kRun, {{1, {"a", "b"}}}, 1}),
              CoordErrc::TenantMismatch);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {}, 2}), CoordErrc::InvalidArgument);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{kDerivedBit | 5, {"a", "b"}}}, 3}),
              CoordErrc::DerivedIdNotAllowed);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"b", "a"}}}, 4}),
              CoordErrc::InvalidSpec);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"a", "c"}}, {2, {"b", "d"}}}, 5}),
              CoordErrc::SpecOverlap);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"a", "c"}}, {1, {"c", "d"}}}, 6}),
              CoordErrc::InvalidArgument);
  std::vector<RootSpec> many(kRegisterBatchMax + 1);
  for (size_t i = 0; i < many.size(); ++i) many[i] = RootSpec{i + 1, {std::to_string(i), std::to_string(i) + "~"}};
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, many, 7}), CoordErrc::LimitExceeded);
  ASSERT_TRUE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"a", "c"}}}, 8}).ok());
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{2, {"b", "z"}}}, 9}),
              CoordErrc::SpecOverlap);
  EXPECT_CODE(coord_->register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"x", "z"}}}, 10}),
              CoordErrc::ShardExists);
  // Nothing of the rejected batches was written.
  EXPECT_EQ(read_run().shard_count, 1u);
}

// ---- acquire ----

TEST_P(CoordConformance, AcquireRaisesFenceAndSetsDeadline) {
  make_run();
  auto r = coord_->acquire(10, AcquireOp{ref(kLow), 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fence, 2u);
  EXPECT_EQ(r->deadline_ms, 10 + kLeaseMs);
  EXPECT_EQ(r->spec, (KeyRange{"", "m"}));
  ShardRecord rec = read(kLow);
  ASSERT_TRUE(rec.lease.has_value());
  EXPECT_EQ(rec.lease->owner, 1u);
  EXPECT_EQ(rec.fence, 2u);
}

TEST_P(CoordConformance, AcquireRefusesLiveLeaseOfAnotherWorker) {
  make_run();
  acquire_ok(kLow, 1, 0);
  EXPECT_CODE(coord_->acquire(kLeaseMs - 1, AcquireOp{ref(kLow), 2}), CoordErrc::LeaseHeld);
  // At the deadline the lease is no longer live (live ⇔ now < deadline).
  auto r = coord_->acquire(kLeaseMs, AcquireOp{ref(kLow), 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fence, 3u);
}

TEST_P(CoordConformance, ReacquireBySameWorkerBumpsFence) {
  make_run();
  LeaseToken a = acquire_ok(kLow, 1, 0);
  LeaseToken b = acquire_ok(kLow, 1, 5);
  EXPECT_EQ(b.fence, a.fence + 1);
  // The older lease is now stale even though the owner is the same.
  EXPECT_CODE(coord_->checkpoint(6, CheckpointOp{a, {"c", ""}, 1}), CoordErrc::StaleFence);
  EXPECT_TRUE(coord_->checkpoint(6, CheckpointOp{b, {"c", ""}, 2}).ok());
}

TEST_P(CoordConformance, AcquireErrorPathsInOrder) {
  make_run();
  EXPECT_CODE(coord_->acquire(0, AcquireOp{ref(99), 1}), CoordErrc::ShardNotFound);
  EXPECT_CODE(coord_->acquire(0, AcquireOp{ShardRef{kTenant, kRun + 1, kLow}, 1}), CoordErrc::RunNotFound);
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ASSERT_TRUE(coord_->complete(1, CompleteOp{l, {}, 5}).ok());
  // Tenant is checked before terminal status.
  EXPECT_CODE(coord_->acquire(2, AcquireOp{ShardRef{kTenant + 1, kRun, kLow}, 2}), CoordErrc::TenantMismatch);
  EXPECT_CODE(coord_->acquire(2, AcquireOp{ref(kLow), 2}), CoordErrc::ShardTerminal);
}

// ---- lease validation order (renew has no op-log step, so it shows it bare) ----

TEST_P(CoordConformance, RenewExtendsDeadlineKeepsFence) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  auto r = coord_->renew(400, RenewOp{l});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deadline_ms, 400 + kLeaseMs);
  EXPECT_EQ(r->fence, l.fence);
  EXPECT_EQ(read(kLow).fence, l.fence);
  EXPECT_EQ(read(kLow).lease->deadline_ms, 400 + kLeaseMs);
}

TEST_P(CoordConformance, LeaseValidationPriority) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  LeaseToken wrong_tenant = l;
  wrong_tenant.ref.tenant = kTenant + 1;
  LeaseToken stale = l;
  stale.fence = l.fence - 1;
  LeaseToken other_owner = l;
  other_owner.owner = 2;
  // All of: expired, wrong owner, wrong fence, wrong tenant → TenantMismatch first.
  LeaseToken everything_wrong{ShardRef{kTenant + 1, kRun, kLow}, 2, l.fence - 1};
  EXPECT_CODE(coord_->renew(5000, RenewOp{everything_wrong}), CoordErrc::TenantMismatch);
  // Stale fence beats expiry.
  EXPECT_CODE(coord_->renew(5000, RenewOp{stale}), CoordErrc::StaleFence);
  // Owner mismatch (right fence) beats expiry.
  EXPECT_CODE(coord_->renew(5000, RenewOp{other_owner}), CoordErrc::StaleFence);
  EXPECT_CODE(coord_->renew(kLeaseMs, RenewOp{l}), CoordErrc::LeaseExpired);
  EXPECT_CODE(coord_->renew(1, RenewOp{wrong_tenant}), CoordErrc::TenantMismatch);
  // Terminal beats fence and expiry: park, then present a stale, expired lease.
  ASSERT_TRUE(coord_->park(1, ParkOp{l, "poison", 3}).ok());
  EXPECT_CODE(coord_->renew(5000, RenewOp{stale}), CoordErrc::ShardTerminal);
  EXPECT_CODE(coord_->renew(5000, RenewOp{wrong_tenant}), CoordErrc::TenantMismatch);
}

TEST_P(CoordConformance, NoHolderIsStaleFence) {
  make_run();
  // Fence 1 matches a never-leased shard, but there is no holder.
  EXPECT_CODE(coord_->renew(0, RenewOp{LeaseToken{ref(kLow), 1, 1}}), CoordErrc::StaleFence);
}

// ---- checkpoint ----

TEST_P(CoordConformance, CheckpointAdvancesCursor) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  auto r = coord_->checkpoint(1, CheckpointOp{l, {"c", "tok1"}, 11});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(read(kLow).cursor, (Cursor{"c", "tok1"}));
  // Equal keys are allowed (monotonic means new >= old); the token is opaque.
  ASSERT_TRUE(coord_->checkpoint(2, CheckpointOp{l, {"c", "tok2"}, 12}).ok());
  ASSERT_TRUE(coord_->checkpoint(3, CheckpointOp{l, {"d", ""}, 13}).ok());
  EXPECT_EQ(read(kLow).cursor.last_key, "d");
  EXPECT_EQ(read(kLow).fence, l.fence);
}

TEST_P(CoordConformance, CheckpointCursorChecksInOrder) {
  make_run();
  LeaseToken l = acquire_ok(kHigh, 1, 0);  // ["m", "")
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"", "t"}, 1}), CoordErrc::CursorMissing);
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"a", ""}, 2}), CoordErrc::CursorOutOfBounds);
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"p", ""}, 3}).ok());
  // Below the current cursor and below the range: regression is reported first.
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"a", ""}, 4}), CoordErrc::CursorRegression);
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"o", ""}, 5}), CoordErrc::CursorRegression);
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"q" + std::string(kKeyBytesMax, 'x'), ""}, 6}),
              CoordErrc::CursorTooLarge);
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"q", std::string(kTokenBytesMax + 1, 't')}, 7}),
              CoordErrc::CursorTooLarge);
  EXPECT_EQ(read(kHigh).cursor.last_key, "p");
  LeaseToken low = acquire_ok(kLow, 1, 0);  // ["", "m"): end is exclusive
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{low, {"m", ""}, 8}), CoordErrc::CursorOutOfBounds);
  EXPECT_TRUE(coord_->checkpoint(1, CheckpointOp{low, {"l", ""}, 9}).ok());
}

TEST_P(CoordConformance, IdempotencyComesBeforeLeaseValidation) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  CheckpointOp op{l, {"c", ""}, 42};
  ASSERT_TRUE(coord_->checkpoint(1, op).ok());
  // Replayed after the lease expired and another worker took the shard: cached success.
  acquire_ok(kLow, 2, kLeaseMs + 1);
  auto replay = coord_->checkpoint(kLeaseMs + 2, op);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  // Same op_id, different payload: conflict, even though the lease is stale.
  CheckpointOp changed = op;
  changed.cursor.last_key = "d";
  EXPECT_CODE(coord_->checkpoint(kLeaseMs + 2, changed), CoordErrc::OpIdConflict);
  // A fresh op_id with the stale lease is a stale fence.
  changed.op_id = 43;
  EXPECT_CODE(coord_->checkpoint(kLeaseMs + 2, changed), CoordErrc::StaleFence);
}

TEST_P(CoordConformance, ReplayAfterTerminalStillServed) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  CompleteOp done{l, {"k", ""}, 77};
  ASSERT_TRUE(coord_->complete(1, done).ok());
  auto replay = coord_->complete(5000, done);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_CODE(coord_->complete(5000, CompleteOp{l, {"k", ""}, 78}), CoordErrc::ShardTerminal);
}

TEST_P(CoordConformance, OpLogIsBoundedAndEvictsOldest) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  for (int i = 0; i < 20; ++i) {
    std::string key = "c" + std::string(1, static_cast<char>('a' + i));
    ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {key, ""}, static_cast<OpId>(1000 + i)}).ok());
  }
  ShardRecord rec = read(kLow);
  EXPECT_EQ(rec.op_log.size(), kOpLogCapacity);
  EXPECT_EQ(rec.op_log.find(1000), nullptr);
  EXPECT_NE(rec.op_log.find(1019), nullptr);
  // An evicted op_id is re-validated like a new op: its old cursor is now a regression.
  EXPECT_CODE(coord_->checkpoint(1, CheckpointOp{l, {"ca", ""}, 1000}), CoordErrc::CursorRegression);
  // A logged one is still replayed.
  auto r = coord_->checkpoint(1, CheckpointOp{l, {"ct", ""}, 1019});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->replayed);
}

// ---- complete, park, unpark ----

TEST_P(CoordConformance, CompleteMakesDoneAndClearsLease) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"c", ""}, 1}).ok());
  EXPECT_CODE(coord_->complete(2, CompleteOp{l, {"b", ""}, 2}), CoordErrc::CursorRegression);
  ASSERT_TRUE(coord_->complete(2, CompleteOp{l, {}, 3}).ok());
  ShardRecord rec = read(kLow);
  EXPECT_EQ(rec.status, ShardStatus::Done);
  EXPECT_FALSE(rec.lease.has_value());
  EXPECT_EQ(rec.cursor.last_key, "c");  // an empty final cursor keeps the cursor
  EXPECT_CODE(coord_->renew(3, RenewOp{l}), CoordErrc::ShardTerminal);
}

TEST_P(CoordConformance, CompleteValidatesLease) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  EXPECT_CODE(coord_->complete(kLeaseMs, CompleteOp{l, {}, 1}), CoordErrc::LeaseExpired);
  EXPECT_EQ(read(kLow).status, ShardStatus::Active);
}

TEST_P(CoordConformance, ParkKeepsCursorAndUnparkRaisesFence) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"c", ""}, 1}).ok());
  EXPECT_CODE(coord_->park(2, ParkOp{l, "", 2}), CoordErrc::InvalidArgument);
  EXPECT_CODE(coord_->park(2, ParkOp{l, std::string(kParkReasonBytesMax + 1, 'r'), 3}), CoordErrc::InvalidArgument);
  ASSERT_TRUE(coord_->park(2, ParkOp{l, "poison record", 4}).ok());
  ShardRecord parked = read(kLow);
  EXPECT_EQ(parked.status, ShardStatus::Parked);
  EXPECT_EQ(parked.park_reason, "poison record");
  EXPECT_EQ(parked.cursor.last_key, "c");
  EXPECT_FALSE(parked.lease.has_value());
  EXPECT_CODE(coord_->acquire(3, AcquireOp{ref(kLow), 2}), CoordErrc::ShardTerminal);

  EXPECT_CODE(coord_->unpark(3, UnparkOp{ShardRef{kTenant + 1, kRun, kLow}, 50}), CoordErrc::TenantMismatch);
  auto u = coord_->unpark(3, UnparkOp{ref(kLow), 51});
  ASSERT_TRUE(u.ok());
  ShardRecord active = read(kLow);
  EXPECT_EQ(active.status, ShardStatus::Active);
  EXPECT_TRUE(active.park_reason.empty());
  EXPECT_EQ(active.fence, parked.fence + 1);
  EXPECT_EQ(u->fence, active.fence);
  // Replay is served; a new op_id on an Active shard is NotParked; a changed payload conflicts.
  auto again = coord_->unpark(4, UnparkOp{ref(kLow), 51});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_CODE(coord_->unpark(4, UnparkOp{ref(kLow), 52}), CoordErrc::NotParked);
  EXPECT_CODE(coord_->unpark(4, UnparkOp{ref(kHigh), 51}), CoordErrc::NotParked);  // different shard's log
  EXPECT_CODE(coord_->unpark(4, UnparkOp{ref(99), 53}), CoordErrc::ShardNotFound);
  // The parked-era lease is stale after unpark.
  EXPECT_CODE(coord_->checkpoint(5, CheckpointOp{l, {"d", ""}, 6}), CoordErrc::StaleFence);
}

TEST_P(CoordConformance, UnparkOpIdConflict) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ASSERT_TRUE(coord_->park(1, ParkOp{l, "poison", 4}).ok());
  // op_id 4 is in the log for a park; reusing it for an unpark is a different payload.
  EXPECT_CODE(coord_->unpark(2, UnparkOp{ref(kLow), 4}), CoordErrc::OpIdConflict);
}

// ---- splits ----

TEST_P(CoordConformance, SplitReplaceCreatesTilingChildren) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);  // ["", "m")
  SplitReplaceOp op{l, {{"f", "m"}, {"", "c"}, {"c", "f"}}, 300};
  auto r = coord_->split_replace(1, op);
  ASSERT_TRUE(r.ok()) << to_string(r.error().code);
  ASSERT_EQ(r->spawned.size(), 3u);
  ShardRecord parent = read(kLow);
  EXPECT_EQ(parent.status, ShardStatus::Split);
  EXPECT_FALSE(parent.lease.has_value());
  ASSERT_EQ(parent.spawned.size(), 3u);
  std::vector<KeyRange> specs;
  for (size_t i = 0; i < r->spawned.size(); ++i) {
    ShardId id = r->spawned[i];
    EXPECT_TRUE(is_derived(id));
    EXPECT_EQ(parent.spawned[i].id, id);
    ShardRecord child = read(id);
    EXPECT_EQ(child.status, ShardStatus::Active);
    EXPECT_EQ(child.fence, 1u);
    EXPECT_EQ(child.parent, std::optional<ShardId>(kLow));
    EXPECT_FALSE(child.lease.has_value());
    specs.push_back(child.spec);
  }
  // Reported in range order.
  EXPECT_EQ(specs[0], (KeyRange{"", "c"}));
  EXPECT_EQ(specs[1], (KeyRange{"c", "f"}));
  EXPECT_EQ(specs[2], (KeyRange{"f", "m"}));
  // Ids are a pure function of (run, parent, op_id, kind, index in the request).
  EXPECT_EQ(r->spawned[0], derive_shard_id(kRun, kLow, 300, OpKind::SplitReplace, 1));
  EXPECT_EQ(read_run().shard_count, 5u);
  // A replay re-derives the same ids and writes nothing.
  auto replay = coord_->split_replace(2, op);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->spawned, r->spawned);
  EXPECT_EQ(read_run().shard_count, 5u);
  // Children are claimable and independent.
  auto c = coord_->acquire(3, AcquireOp{ref(r->spawned[0]), 2});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->fence, 2u);
}

TEST_P(CoordConformance, SplitReplaceRejectsBadChildren) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);  // ["", "m")
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"", "m"}}, 1}), CoordErrc::SplitChildCount);
  std::vector<KeyRange> too_many;
  for (int i = 0; i < 257; ++i) too_many.push_back({std::string(1, 'a'), "b"});
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, too_many, 2}), CoordErrc::SplitChildCount);
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"", "c"}, {"d", "m"}}, 3}),
              CoordErrc::SplitCoverage);  // gap
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"", "d"}, {"c", "m"}}, 4}),
              CoordErrc::SplitCoverage);  // overlap
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"a", "c"}, {"c", "m"}}, 5}),
              CoordErrc::SplitCoverage);  // start
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"", "c"}, {"c", "n"}}, 6}),
              CoordErrc::SplitCoverage);  // end
  EXPECT_CODE(coord_->split_replace(1, SplitReplaceOp{l, {{"", "c"}, {"c", "c"}, {"c", "m"}}, 7}),
              CoordErrc::SplitCoverage);  // empty child
  // Lease checks come before child checks.
  EXPECT_CODE(coord_->split_replace(kLeaseMs, SplitReplaceOp{l, {{"", "m"}}, 8}), CoordErrc::LeaseExpired);
  EXPECT_EQ(read(kLow).status, ShardStatus::Active);
  EXPECT_EQ(read_run().shard_count, 2u);
}

TEST_P(CoordConformance, SplitResidualShrinksParentKeepsLease) {
  make_run();
  LeaseToken l = acquire_ok(kHigh, 1, 0);  // ["m", "")
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"n", ""}, 1}).ok());
  SplitResidualOp op{l, {"m", "t"}, {"t", ""}, 2};
  auto r = coord_->split_residual(2, op);
  ASSERT_TRUE(r.ok()) << to_string(r.error().code);
  ASSERT_EQ(r->spawned.size(), 1u);
  ShardRecord parent = read(kHigh);
  EXPECT_EQ(parent.spec, (KeyRange{"m", "t"}));
  EXPECT_EQ(parent.fence, l.fence);
  ASSERT_TRUE(parent.lease.has_value());
  EXPECT_EQ(parent.status, ShardStatus::Active);
  ASSERT_EQ(parent.spawned.size(), 1u);
  EXPECT_EQ(parent.spawned[0].kind, SpawnKind::Residual);
  ShardRecord res = read(r->spawned[0]);
  EXPECT_EQ(res.spec, (KeyRange{"t", ""}));
  EXPECT_EQ(res.parent, std::optional<ShardId>(kHigh));
  EXPECT_EQ(res.fence, 1u);
  EXPECT_EQ(r->spawned[0], derive_shard_id(kRun, kHigh, 2, OpKind::SplitResidual, 0));
  // The lease still works on the shrunken parent, and the cursor stays bounded by it.
  EXPECT_TRUE(coord_->checkpoint(3, CheckpointOp{l, {"p", ""}, 3}).ok());
  EXPECT_CODE(coord_->checkpoint(3, CheckpointOp{l, {"u", ""}, 4}), CoordErrc::CursorOutOfBounds);
  auto replay = coord_->split_residual(4, op);
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->spawned, r->spawned);
}

TEST_P(CoordConformance, SplitResidualRejectsBadHalves) {
  make_run();
  LeaseToken l = acquire_ok(kHigh, 1, 0);  // ["m", "")
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"r", ""}, 1}).ok());
  EXPECT_CODE(coord_->split_residual(2, SplitResidualOp{l, {"m", "p"}, {"q", ""}, 2}), CoordErrc::ResidualCoverage);
  EXPECT_CODE(coord_->split_residual(2, SplitResidualOp{l, {"m", "q"}, {"p", ""}, 3}), CoordErrc::ResidualCoverage);
  EXPECT_CODE(coord_->split_residual(2, SplitResidualOp{l, {"n", "q"}, {"q", ""}, 4}), CoordErrc::ResidualCoverage);
  EXPECT_CODE(coord_->split_residual(2, SplitResidualOp{l, {"m", ""}, {"", ""}, 5}), CoordErrc::ResidualCoverage);
  // The cursor "r" would fall into the residual.
  EXPECT_CODE(coord_->split_residual(2, SplitResidualOp{l, {"m", "q"}, {"q", ""}, 6}),
              CoordErrc::ResidualCursorOutside);
  // Residual first, parent second: allowed when the cursor stays in the parent.
  auto r = coord_->split_residual(2, SplitResidualOp{l, {"p", ""}, {"m", "p"}, 7});
  ASSERT_TRUE(r.ok()) << to_string(r.error().code);
  EXPECT_EQ(read(kHigh).spec, (KeyRange{"p", ""}));
}

// ---- claim_next, cooldown, finish_run ----

TEST_P(CoordConformance, ClaimNextTakesLowestFreeShard) {
  make_run();
  auto a = coord_->claim_next(0, ClaimNextOp{kTenant, kRun, 1});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->shard, kLow);
  EXPECT_EQ(a->fence, 2u);
  auto b = coord_->claim_next(0, ClaimNextOp{kTenant, kRun, 2});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->shard, kHigh);
  EXPECT_CODE(coord_->claim_next(0, ClaimNextOp{kTenant, kRun, 3}), CoordErrc::NoShardAvailable);
  // Once worker 1's lease expires, its shard is claimable again.
  auto c = coord_->claim_next(kLeaseMs, ClaimNextOp{kTenant, kRun, 3});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->shard, kLow);
  EXPECT_EQ(c->fence, 3u);
}

TEST_P(CoordConformance, ClaimCooldownPerWorker) {
  make_run();
  ASSERT_TRUE(coord_->claim_next(0, ClaimNextOp{kTenant, kRun, 1}).ok());
  EXPECT_CODE(coord_->claim_next(kCooldownMs - 1, ClaimNextOp{kTenant, kRun, 1}), CoordErrc::ClaimCooldown);
  // Another worker is not affected; the first one may claim again after the cooldown.
  ASSERT_TRUE(coord_->claim_next(1, ClaimNextOp{kTenant, kRun, 2}).ok());
  EXPECT_CODE(coord_->claim_next(kCooldownMs, ClaimNextOp{kTenant, kRun, 1}), CoordErrc::NoShardAvailable);
  // Cooldown is checked before availability.
  EXPECT_CODE(coord_->claim_next(2, ClaimNextOp{kTenant, kRun, 2}), CoordErrc::ClaimCooldown);
}

TEST_P(CoordConformance, ClaimNextErrorPaths) {
  EXPECT_CODE(coord_->claim_next(0, ClaimNextOp{kTenant, kRun, 1}), CoordErrc::RunNotFound);
  make_run();
  EXPECT_CODE(coord_->claim_next(0, ClaimNextOp{kTenant + 1, kRun, 1}), CoordErrc::TenantMismatch);
}

TEST_P(CoordConformance, FinishRunRequiresAllShardsFinished) {
  make_run();
  EXPECT_CODE(coord_->finish_run(0, FinishRunOp{kTenant, kRun, 1}), CoordErrc::RunNotFinished);
  LeaseToken low = acquire_ok(kLow, 1, 0);
  LeaseToken high = acquire_ok(kHigh, 1, 0);
  ASSERT_TRUE(coord_->split_replace(1, SplitReplaceOp{low, {{"", "c"}, {"c", "m"}}, 2}).ok());
  ASSERT_TRUE(coord_->park(1, ParkOp{high, "poison", 3}).ok());
  EXPECT_CODE(coord_->finish_run(2, FinishRunOp{kTenant, kRun, 4}), CoordErrc::RunNotFinished);  // Parked
  ASSERT_TRUE(coord_->unpark(2, UnparkOp{ref(kHigh), 5}).ok());
  // Finish every shard.
  for (int round = 0; round < 4; ++round) {
    auto c = coord_->claim_next(1000 * (round + 1), ClaimNextOp{kTenant, kRun, static_cast<WorkerId>(10 + round)});
    if (!c.ok()) break;
    ASSERT_TRUE(
        coord_->complete(1000 * (round + 1), CompleteOp{LeaseToken{ref(c->shard), 10u + round, c->fence}, {}, 6}).ok());
  }
  EXPECT_CODE(coord_->finish_run(9000, FinishRunOp{kTenant + 1, kRun, 7}), CoordErrc::TenantMismatch);
  auto f = coord_->finish_run(9000, FinishRunOp{kTenant, kRun, 7});
  ASSERT_TRUE(f.ok()) << to_string(f.error().code);
  EXPECT_EQ(read_run().status, RunStatus::Done);
  EXPECT_TRUE(coord_->finish_run(9001, FinishRunOp{kTenant, kRun, 7})->replayed);
  EXPECT_CODE(coord_->finish_run(9001, FinishRunOp{kTenant, kRun, 8}), CoordErrc::RunTerminal);
  EXPECT_CODE(coord_->claim_next(9001, ClaimNextOp{kTenant, kRun, 1}), CoordErrc::RunTerminal);
  EXPECT_CODE(coord_->register_shards(9001, RegisterShardsOp{kTenant, kRun, {{9, {"zz", "zzz"}}}, 10}),
              CoordErrc::RunTerminal);
  EXPECT_CODE(coord_->finish_run(0, FinishRunOp{kTenant, kRun + 1, 1}), CoordErrc::RunNotFound);
}

// ---- the store's optional read paths ----

// view_shard answers what get_shard answers (a backend that only implements the
// required calls gets the default, which reads into the scratch record), and a view
// taken after a commit shows the committed value.
TEST_P(CoordConformance, ViewShardMatchesGetShard) {
  make_run();
  auto same_as_get = [&](ShardId id) {
    ShardRecord scratch, copy;
    const ShardRecord* view = nullptr;
    Revision view_rev = 0, get_rev = 0;
    ASSERT_EQ(store_->view_shard(kRun, id, &scratch, &view, &view_rev), StoreStatus::Ok);
    ASSERT_EQ(store_->get_shard(kRun, id, &copy, &get_rev), StoreStatus::Ok);
    EXPECT_EQ(view_rev, get_rev) << "shard " << id;
    if (get_rev != 0) {
      ASSERT_NE(view, nullptr);
      EXPECT_EQ(*view, copy) << "shard " << id;
    }
  };
  same_as_get(kLow);
  same_as_get(kHigh);
  same_as_get(99);  // absent: revision 0
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ASSERT_TRUE(coord_->checkpoint(1, CheckpointOp{l, {"c", "t"}, 1}).ok());
  same_as_get(kLow);
  ShardRecord scratch;
  const ShardRecord* view = nullptr;
  Revision rev = 0;
  ASSERT_EQ(store_->view_shard(kRun, kLow, &scratch, &view, &rev), StoreStatus::Ok);
  EXPECT_EQ(view->cursor.last_key, "c");
  EXPECT_EQ(view->fence, l.fence);
  ASSERT_EQ(store_->view_shard(kRun + 1, kLow, &scratch, &view, &rev), StoreStatus::Ok);  // no such run
  EXPECT_EQ(rev, 0u);
}

// A consuming commit applies exactly what the transaction held, like commit does.
TEST_P(CoordConformance, CommitConsumingAppliesThePuts) {
  make_run();
  ShardRecord low = read(kLow);
  Revision rev = 0;
  ASSERT_EQ(store_->get_shard(kRun, kLow, &low, &rev), StoreStatus::Ok);
  Txn txn;
  txn.guards.push_back(Guard{kRun, false, kLow, rev});
  low.cursor = Cursor{"b", "tok"};
  txn.shard_puts.push_back(low);
  ASSERT_EQ(store_->commit_consuming(&txn), StoreStatus::Ok);
  EXPECT_EQ(read(kLow), low);
  // Stale now: the same guard conflicts, and nothing changes.
  Txn stale;
  stale.guards.push_back(Guard{kRun, false, kLow, rev});
  ShardRecord other = low;
  other.cursor = Cursor{"c", ""};
  stale.shard_puts.push_back(other);
  EXPECT_EQ(store_->commit_consuming(&stale), StoreStatus::Conflict);
  EXPECT_EQ(read(kLow), low);
}

TEST_P(CoordConformance, RejectedOpsWriteNothing) {
  make_run();
  LeaseToken l = acquire_ok(kLow, 1, 0);
  ShardRecord before = read(kLow);
  (void)coord_->checkpoint(1, CheckpointOp{l, {"z", ""}, 1});              // out of bounds
  (void)coord_->split_replace(1, SplitReplaceOp{l, {{"", "c"}}, 2});       // child count
  (void)coord_->acquire(1, AcquireOp{ref(kLow), 2});                       // held
  (void)coord_->renew(1, RenewOp{LeaseToken{ref(kLow), 1, l.fence + 1}});  // stale
  EXPECT_EQ(read(kLow), before);
}

}  // namespace squall::coord::testing
