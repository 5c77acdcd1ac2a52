// Coordinator over a store that fails on purpose: CAS retries, backend error mapping,
// and the invariant policy.
#include "coord/coordinator.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "coord/memory_store.h"
#include "coord/testing/required_calls_store.h"

namespace squall::coord {
namespace {

// Wraps a MemoryStore; the next `conflicts` commits fail with Conflict, then `outcome`
// is reported for one commit (Indeterminate commits are applied first).
class ScriptedStore final : public testing::RequiredCallsStore {
 public:
  StoreStatus commit(const Txn& txn) override {
    ++commits;
    if (conflicts > 0) {
      --conflicts;
      return StoreStatus::Conflict;
    }
    StoreStatus o = outcome;
    outcome = StoreStatus::Ok;
    if (o == StoreStatus::Unavailable) return o;
    StoreStatus s = inner.commit(txn);
    return s == StoreStatus::Ok ? o : s;
  }
  int conflicts = 0;
  int commits = 0;
  StoreStatus outcome = StoreStatus::Ok;
};

class CoordinatorFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
    ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{1, 2, {{5, {"", ""}}}, 1}).ok());
    auto a = coord.acquire(0, AcquireOp{{1, 2, 5}, 9});
    ASSERT_TRUE(a.ok());
    lease = LeaseToken{{1, 2, 5}, 9, a->fence};
  }
  ScriptedStore store;
  Coordinator coord{&store};
  LeaseToken lease;
};

TEST_F(CoordinatorFaults, RetriesConflictsThenSucceeds) {
  store.conflicts = kCasAttemptsMax - 1;
  EXPECT_TRUE(coord.checkpoint(1, CheckpointOp{lease, {"a", ""}, 10}).ok());
  EXPECT_EQ(store.inner.peek_shard(2, 5)->cursor.last_key, "a");
}

TEST_F(CoordinatorFaults, GivesUpWithContention) {
  store.conflicts = kCasAttemptsMax;
  EXPECT_EQ(coord.checkpoint(1, CheckpointOp{lease, {"a", ""}, 10}).error().code, CoordErrc::Contention);
  EXPECT_TRUE(store.inner.peek_shard(2, 5)->cursor.last_key.empty());
}

TEST_F(CoordinatorFaults, UnavailableWritesNothing) {
  store.outcome = StoreStatus::Unavailable;
  EXPECT_EQ(coord.checkpoint(1, CheckpointOp{lease, {"a", ""}, 10}).error().code, CoordErrc::Unavailable);
  EXPECT_TRUE(store.inner.peek_shard(2, 5)->cursor.last_key.empty());
}

TEST_F(CoordinatorFaults, IndeterminateThenIdempotentRetryIsReplayed) {
  store.outcome = StoreStatus::Indeterminate;
  CheckpointOp op{lease, {"a", ""}, 10};
  EXPECT_EQ(coord.checkpoint(1, op).error().code, CoordErrc::Indeterminate);
  auto retry = coord.checkpoint(2, op);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
}

// etcd refuses a transaction of more than --max-txn-ops operations (128 by default).
class TxnSizeLimitedStore final : public testing::RequiredCallsStore {
 public:
  static constexpr size_t kOpsMax = 128;
  StoreStatus commit(const Txn& txn) override {
    if (txn.guards.size() + txn.run_puts.size() + txn.shard_puts.size() > kOpsMax) return StoreStatus::Unavailable;
    return inner.commit(txn);
  }
};

// A run with more shards than one transaction may compare can still be finished: the
// run alone is guarded (every shard it read was terminal), not each shard.
TEST(CoordinatorFinishRun, ARunWithMoreShardsThanATransactionMayCompareFinishes) {
  TxnSizeLimitedStore store;
  Coordinator coord{&store};
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  constexpr int kShards = 300;
  for (int batch = 0; batch < kShards / 50; ++batch) {
    RegisterShardsOp op{1, 2, {}, static_cast<OpId>(1000 + batch)};
    for (int i = batch * 50; i < (batch + 1) * 50; ++i) {
      char lo[16], hi[16];
      std::snprintf(lo, sizeof lo, "k%04d", i);
      std::snprintf(hi, sizeof hi, "k%04d", i + 1);
      op.shards.push_back(RootSpec{static_cast<ShardId>(i + 1), {i == 0 ? "" : lo, i + 1 == kShards ? "" : hi}});
    }
    ASSERT_TRUE(coord.register_shards(0, op).ok()) << batch;
  }
  for (int i = 1; i <= kShards; ++i) {
    auto a = coord.acquire(1, AcquireOp{{1, 2, static_cast<ShardId>(i)}, 9});
    ASSERT_TRUE(a.ok()) << i;
    ASSERT_TRUE(coord
                    .complete(1, CompleteOp{LeaseToken{{1, 2, static_cast<ShardId>(i)}, 9, a->fence},
                                            {},
                                            static_cast<OpId>(5000 + i)})
                    .ok())
        << i;
  }
  auto f = coord.finish_run(2, FinishRunOp{1, 2, 9999});
  ASSERT_TRUE(f.ok()) << to_string(f.error().code);
  RunRecord run;
  Revision rev = 0;
  ASSERT_EQ(store.inner.get_run(2, &run, &rev), StoreStatus::Ok);
  EXPECT_EQ(run.status, RunStatus::Done);
}

TEST(CoordinatorPolicy, ReportCountsViolationsInsteadOfAborting) {
  MemoryStore store;
  Mutations m;
  m.no_idempotency = true;
  Coordinator coord(&store, m, InvariantPolicy::Report);
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{1, 2, {{5, {"", ""}}}, 1}).ok());
  auto a = coord.acquire(0, AcquireOp{{1, 2, 5}, 9});
  ASSERT_TRUE(a.ok());
  CheckpointOp op{LeaseToken{{1, 2, 5}, 9, a->fence}, {"a", ""}, 10};
  ASSERT_TRUE(coord.checkpoint(1, op).ok());
  EXPECT_EQ(coord.invariant_violations(), 0u);
  ASSERT_TRUE(coord.checkpoint(2, op).ok());  // re-applied: duplicate op_id in the log
  EXPECT_EQ(coord.invariant_violations(), 1u);
  ASSERT_NE(coord.first_violation(), nullptr);
}

TEST(CoordinatorPolicyDeathTest, AbortIsTheDefault) {
  MemoryStore store;
  Mutations m;
  m.no_idempotency = true;
  Coordinator coord(&store, m);
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{1, 2, {{5, {"", ""}}}, 1}).ok());
  auto a = coord.acquire(0, AcquireOp{{1, 2, 5}, 9});
  CheckpointOp op{LeaseToken{{1, 2, 5}, 9, a->fence}, {"a", ""}, 10};
  ASSERT_TRUE(coord.checkpoint(1, op).ok());
  EXPECT_DEATH((void)coord.checkpoint(2, op), "duplicate op_id");
}

// MemoryStore's claimable index must answer exactly what the interface's default scan
// answers (the Coordinator only ever asks the override in the simulator).
TEST(MemoryStoreIndex, FirstClaimableMatchesTheDefaultScan) {
  MemoryStore store;
  Coordinator coord(&store);
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  ASSERT_TRUE(
      coord.register_shards(0, RegisterShardsOp{1, 2, {{3, {"", "g"}}, {7, {"g", "p"}}, {9, {"p", ""}}}, 1}).ok());
  auto compare = [&](int64_t now) {
    ShardRecord fast, slow;
    Revision fast_rev = 0, slow_rev = 0;
    ASSERT_EQ(store.first_claimable(2, now, &fast, &fast_rev), StoreStatus::Ok);
    ASSERT_EQ(store.RecordStore::first_claimable(2, now, &slow, &slow_rev), StoreStatus::Ok);
    EXPECT_EQ(fast_rev, slow_rev) << "now " << now;
    if (fast_rev != 0 && slow_rev != 0) {
      EXPECT_EQ(fast, slow) << "now " << now;
    }
  };
  compare(0);
  auto a = coord.acquire(0, AcquireOp{{1, 2, 3}, 4});  // 3 leased until 100
  ASSERT_TRUE(a.ok());
  auto b = coord.acquire(10, AcquireOp{{1, 2, 7}, 5});  // 7 leased until 110, then parked
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(coord.park(20, ParkOp{LeaseToken{{1, 2, 7}, 5, b->fence}, "poison", 2}).ok());
  for (int64_t now : {0, 50, 99, 100, 101, 200}) compare(now);
  ASSERT_TRUE(coord.acquire(300, AcquireOp{{1, 2, 9}, 6}).ok());  // 9 leased until 400
  for (int64_t now : {300, 399, 400}) compare(now);
  ASSERT_TRUE(coord.unpark(450, UnparkOp{{1, 2, 7}, 3}).ok());  // 7 claimable again
  for (int64_t now : {450, 500}) compare(now);
  Revision rev = 0;
  ShardRecord none;
  ASSERT_EQ(store.first_claimable(99, 0, &none, &rev), StoreStatus::Ok);  // no such run
  EXPECT_EQ(rev, 0u);
}

// peek_shard's pointers stay valid and current across commits (the simulator's
// checker keeps them): commits update records where they are.
TEST(MemoryStoreIndex, PeekedRecordsStayPutAcrossCommits) {
  MemoryStore store;
  Coordinator coord(&store);
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{1, 2, {{3, {"", "g"}}, {7, {"g", ""}}}, 1}).ok());
  const ShardRecord* three = store.peek_shard(2, 3);
  const RunRecord* run = store.peek_run(2);
  ASSERT_NE(three, nullptr);
  auto a = coord.acquire(0, AcquireOp{{1, 2, 3}, 4});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(coord.checkpoint(1, CheckpointOp{LeaseToken{{1, 2, 3}, 4, a->fence}, {"b", ""}, 5}).ok());
  ASSERT_TRUE(coord.claim_next(2, ClaimNextOp{1, 2, 9}).ok());  // writes shard 7 and the run
  EXPECT_EQ(store.peek_shard(2, 3), three);
  EXPECT_EQ(store.peek_run(2), run);
  EXPECT_EQ(three->cursor.last_key, "b");
  EXPECT_EQ(run->claims.size(), 1u);
}

// The store tells its observer of exactly the commits it applies: before (the store
// still shows the old record) and after; a commit whose guard fails is not reported.
TEST(MemoryStoreObserver, SeesAppliedCommitsOnly) {
  struct Recorder final : CommitObserver {
    void before_commit(const Txn& txn) override {
      ++before;
      const ShardRecord* cur = store->peek_shard(2, 5);
      seen_before_fence = cur == nullptr ? 0 : cur->fence;
      txn_fence = txn.shard_puts.empty() ? 0 : txn.shard_puts[0].fence;
    }
    void after_commit() override { ++after; }
    MemoryStore* store = nullptr;
    int before = 0, after = 0;
    uint64_t seen_before_fence = 0, txn_fence = 0;
  };
  MemoryStore store;
  Recorder rec;
  rec.store = &store;
  store.set_observer(&rec);
  Coordinator coord(&store);
  ASSERT_TRUE(coord.create_run(CreateRunOp{1, 2, RunConfig{100, 0}}).ok());
  ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{1, 2, {{5, {"", ""}}}, 1}).ok());
  EXPECT_EQ(rec.before, 2);
  EXPECT_EQ(rec.after, 2);
  ASSERT_TRUE(coord.acquire(0, AcquireOp{{1, 2, 5}, 9}).ok());
  EXPECT_EQ(rec.after, 3);
  EXPECT_EQ(rec.seen_before_fence, 1u);  // the store still held the old record
  EXPECT_EQ(rec.txn_fence, 2u);          // the commit carried the new one
  Txn stale;
  stale.guards.push_back(Guard{2, false, 5, 1});  // an old revision: the guard fails
  stale.shard_puts.push_back(*store.peek_shard(2, 5));
  EXPECT_EQ(store.commit(stale), StoreStatus::Conflict);
  EXPECT_EQ(rec.before, 3);
  EXPECT_EQ(rec.after, 3);
}

}  // namespace
}  // namespace squall::coord
