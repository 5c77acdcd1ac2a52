// sim::Checker's audits of records read back from a backend (no commit observed):
// hand-made record versions that break S1, S2, S3, S5, S7, S8 and S9 are each reported
// under their own invariant, and a correct history passes.
#include <gtest/gtest.h>

#include "coord/memory_store.h"
#include "sim/checker.h"

namespace squall::sim {
namespace {

coord::ShardRecord shard(coord::ShardId id, coord::KeyRange spec) {
  coord::ShardRecord r;
  r.tenant = 1;
  r.run = 1;
  r.id = id;
  r.spec = std::move(spec);
  return r;
}

struct Audit {
  Audit() : checker(cfg, nullptr, nullptr, &store, 1, &stats) {}
  // Loads the run and shards into the store (as read back from a backend).
  void load(const coord::RunRecord& run, const std::vector<coord::ShardRecord>& shards) {
    coord::Txn t;
    t.guards.push_back(coord::Guard{1, true, 0, 0});
    t.run_puts.push_back(run);
    for (const auto& s : shards) {
      t.guards.push_back(coord::Guard{1, false, s.id, 0});
      t.shard_puts.push_back(s);
      ids.push_back(s.id);
    }
    ASSERT_EQ(store.commit(t), coord::StoreStatus::Ok);
  }
  std::vector<Invariant> found() const {
    std::vector<Invariant> v;
    for (const auto& x : checker.violations()) v.push_back(x.invariant);
    return v;
  }
  SimConfig cfg;
  Stats stats;
  coord::MemoryStore store;
  Checker checker;
  std::vector<coord::ShardId> ids;
};

coord::RunRecord run_record(std::vector<coord::KeyRange> roots, coord::RunStatus status) {
  coord::RunRecord r;
  r.tenant = 1;
  r.run = 1;
  r.status = status;
  r.roots = std::move(roots);
  return r;
}

TEST(RecordAudit, AGrantWhileAnotherLeaseIsLiveIsS1) {
  Audit a;
  coord::ShardRecord before = shard(1, {"", ""});
  before.fence = 2;
  before.lease = coord::Lease{7, 1000};
  coord::ShardRecord after = before;
  after.fence = 3;
  after.lease = coord::Lease{8, 1500};  // granted at 1500 - 1000 = 500, before 1000
  a.checker.check_version(before, after, 1000);
  EXPECT_EQ(a.found(), std::vector<Invariant>{Invariant::S1MutualExclusion});

  Audit b;
  after.lease = coord::Lease{8, 2100};  // granted at 1100: the old lease was over
  b.checker.check_version(before, after, 1000);
  EXPECT_TRUE(b.found().empty());
}

TEST(RecordAudit, FenceCursorAndTerminalChangesAreJudgedByTheLoggedOp) {
  coord::ShardRecord before = shard(1, {"", ""});
  before.fence = 2;
  before.lease = coord::Lease{7, 1000};
  before.cursor.last_key = "k5";
  coord::ShardRecord after = before;
  after.op_log.append(coord::OpLogEntry{42, coord::OpKind::Checkpoint, 1});
  after.cursor.last_key = "k3";  // backwards
  after.fence = 3;               // a checkpoint never raises the fence
  Audit a;
  a.checker.check_version(before, after, 1000);
  EXPECT_EQ(a.found(), (std::vector<Invariant>{Invariant::S2FenceMonotonic, Invariant::S5CursorMonotonic}));

  coord::ShardRecord done = before;
  done.status = coord::ShardStatus::Done;
  done.lease.reset();
  coord::ShardRecord reopened = done;
  reopened.status = coord::ShardStatus::Active;
  Audit b;
  b.checker.check_version(done, reopened, 1000);
  EXPECT_EQ(b.found(), std::vector<Invariant>{Invariant::S3TerminalIrreversible});
}

TEST(RecordAudit, SplitGapsAndUnfinishedShardsOfADoneRunAreFound) {
  Audit a;
  coord::ShardRecord parent = shard(1, {"", ""});
  parent.status = coord::ShardStatus::Split;
  const coord::ShardId c1 = coord::kDerivedBit | 1, c2 = coord::kDerivedBit | 2;
  parent.spawned = {{c1, coord::SpawnKind::Child}, {c2, coord::SpawnKind::Child}};
  coord::ShardRecord k1 = shard(c1, {"", "m"});
  coord::ShardRecord k2 = shard(c2, {"n", ""});  // a gap [m, n)
  k1.parent = k2.parent = 1;
  k1.status = coord::ShardStatus::Done;
  a.load(run_record({{"", ""}}, coord::RunStatus::Done), {parent, k1, k2});
  a.checker.check_records(a.ids);
  a.checker.check_splits(a.ids);
  const auto v = a.found();
  EXPECT_NE(std::find(v.begin(), v.end(), Invariant::S7SplitCoverage), v.end());
  EXPECT_NE(std::find(v.begin(), v.end(), Invariant::S8RunTerminal), v.end());  // k2 is Active

  Audit b;
  k2.spec.start = "m";
  k2.status = coord::ShardStatus::Done;
  b.load(run_record({{"", ""}}, coord::RunStatus::Done), {parent, k1, k2});
  b.checker.check_records(b.ids);
  b.checker.check_splits(b.ids);
  EXPECT_TRUE(b.found().empty());
}

TEST(RecordAudit, ClaimsCloserThanTheCooldownAreS9AndLeavingDoneIsS8) {
  Audit a;
  a.cfg.claim_cooldown_ms = 20;
  coord::RunRecord r0 = run_record({{"", ""}}, coord::RunStatus::Active);
  coord::RunRecord r1 = r0, r2 = r0, r3 = r0;
  r1.claims = {{5, 100}};
  r2.claims = {{5, 130}};  // 30 ms later: fine
  r3.claims = {{5, 140}};  // 10 ms later: too soon
  a.checker.check_run_version(r0, r1);
  a.checker.check_run_version(r1, r2);
  EXPECT_TRUE(a.found().empty());
  a.checker.check_run_version(r2, r3);
  EXPECT_EQ(a.found(), std::vector<Invariant>{Invariant::S9ClaimCooldown});
  coord::RunRecord done = r3, active = r3;
  done.status = coord::RunStatus::Done;
  a.checker.check_run_version(done, active);
  EXPECT_EQ(a.found().back(), Invariant::S8RunTerminal);
}

}  // namespace
}  // namespace squall::sim
