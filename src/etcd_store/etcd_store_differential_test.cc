// Differential test: the same seeded sequences of coordination operations applied
// through a Coordinator to MemoryStore (the executable specification) and to EtcdStore
// on a live 3-member cluster give identical replies and identical records after every
// step, and the two stores' revisions correspond one to one (same commits, same order).
#include <gtest/gtest.h>

#include <map>

#include "coord/coordinator.h"
#include "coord/memory_store.h"
#include "core/rng.h"
#include "etcd/testing/shared_cluster.h"
#include "etcd_store/etcd_store.h"

namespace squall::etcd_store {
namespace {

using namespace squall::coord;
using etcd::testing::LocalCluster;

auto* const kEnv = ::testing::AddGlobalTestEnvironment(new etcd::testing::SharedClusterEnvironment);

constexpr TenantId kTenant = 3;
constexpr RunId kRun = 42;

class Collect final : public ShardVisitor {
 public:
  bool visit(const ShardRecord& r, Revision rev) override {
    shards.emplace_back(r, rev);
    return true;
  }
  std::vector<std::pair<ShardRecord, Revision>> shards;
};

// Builds random but mostly meaningful requests from what the reference store holds.
class OpGenerator {
 public:
  OpGenerator(uint64_t seed, const MemoryStore* store) : rng_(seed), store_(store) {}

  Request next(int64_t now_ms) {
    for (;;) {
      if (auto r = attempt(now_ms)) return *r;
    }
  }
  // Learns the leases the replies grant.
  void observe(const Request& req, const Reply& reply) {
    if (!reply.ok() || reply->fence == 0) return;
    if (const auto* a = std::get_if<AcquireOp>(&req)) leases_[a->worker] = LeaseToken{a->ref, a->worker, reply->fence};
    if (const auto* c = std::get_if<ClaimNextOp>(&req)) {
      leases_[c->worker] = LeaseToken{ShardRef{kTenant, kRun, reply->shard}, c->worker, reply->fence};
    }
  }

 private:
  OpId op_id() {
    // Mostly fresh ids; sometimes a recent one again (replays and OpIdConflict).
    if (!recent_.empty() && rng_.below(5) == 0) return recent_[rng_.below(recent_.size())];
    OpId id = ++next_op_;
    recent_.push_back(id);
    if (recent_.size() > 8) recent_.erase(recent_.begin());
    return id;
  }
  WorkerId worker() { return 1 + rng_.below(3); }
  std::vector<ShardId> shard_ids() const {
    std::vector<ShardId> ids;
    if (const RunRecord* run = store_->peek_run(kRun); run == nullptr) return ids;
    Collect c;
    const_cast<MemoryStore*>(store_)->scan_shards(kRun, &c);
    for (auto& s : c.shards) ids.push_back(s.first.id);
    return ids;
  }
  // A key strictly inside (lo, hi) when one of a few tries finds one; lo itself otherwise.
  std::string key_between(const std::string& lo, const std::string& hi) {
    for (int i = 0; i < 6; ++i) {
      std::string k = lo + static_cast<char>('a' + rng_.below(26));
      if (rng_.below(2) == 0) k += static_cast<char>('a' + rng_.below(26));
      if (key_less(lo, k) && (hi.empty() || key_less(k, hi))) return k;
    }
    return lo;
  }
  std::optional<LeaseToken> some_lease() {
    if (leases_.empty()) return std::nullopt;
    auto it = leases_.begin();
    std::advance(it, static_cast<long>(rng_.below(leases_.size())));
    LeaseToken t = it->second;
    if (rng_.below(8) == 0 && t.fence > 1) --t.fence;  // a zombie's stale fence
    return t;
  }

  std::optional<Request> attempt(int64_t now_ms) {
    (void)now_ms;
    const std::vector<ShardId> ids = shard_ids();
    const uint64_t dice = rng_.below(100);
    if (ids.empty() || dice < 2) return Request{FinishRunOp{kTenant, kRun, op_id()}};
    const ShardId target = ids[rng_.below(ids.size())];
    const ShardRef ref{kTenant, kRun, target};
    if (dice < 22) return Request{AcquireOp{ref, worker()}};
    if (dice < 32) return Request{ClaimNextOp{kTenant, kRun, worker()}};
    if (dice < 37) return Request{UnparkOp{ref, op_id()}};
    std::optional<LeaseToken> lease = some_lease();
    if (!lease) return std::nullopt;
    const ShardRecord* rec = store_->peek_shard(kRun, lease->ref.shard);
    if (rec == nullptr) return std::nullopt;
    const KeyRange& spec = rec->spec;
    if (dice < 47) return Request{RenewOp{*lease}};
    if (dice < 72) {
      std::string from = rec->cursor.last_key.empty() ? spec.start : rec->cursor.last_key;
      Cursor c{rng_.below(10) == 0 ? std::string() : key_between(from, spec.end),
               "tok" + std::to_string(rng_.below(5))};
      return Request{CheckpointOp{*lease, c, op_id()}};
    }
    if (dice < 76) return Request{CompleteOp{*lease, Cursor{}, op_id()}};
    if (dice < 79) return Request{ParkOp{*lease, "reason " + std::to_string(rng_.below(3)), op_id()}};
    const std::string mid = key_between(spec.start, spec.end);
    if (dice < 90) {
      std::vector<KeyRange> children{{spec.start, mid}, {mid, spec.end}};
      if (rng_.below(6) == 0) children[1].start = key_between(mid, spec.end);  // a gap: SplitCoverage
      return Request{SplitReplaceOp{*lease, children, op_id()}};
    }
    return Request{SplitResidualOp{*lease, KeyRange{spec.start, mid}, KeyRange{mid, spec.end}, op_id()}};
  }

  Rng rng_;
  const MemoryStore* store_;
  OpId next_op_ = 1000;
  std::vector<OpId> recent_;
  std::map<WorkerId, LeaseToken> leases_;
};

std::string describe(const Reply& r) {
  if (!r.ok()) return std::string("error ") + to_string(r.error().code);
  return "ok fence=" + std::to_string(r->fence) + " shard=" + std::to_string(r->shard) +
         (r->replayed ? " replayed" : "");
}

// Checks that revisions a (memory) and b (etcd) name the same commits: a bijection.
class RevisionMap {
 public:
  bool same(Revision a, Revision b) {
    if ((a == 0) != (b == 0)) return false;
    if (a == 0) return true;
    auto [ia, new_a] = ab_.emplace(a, b);
    auto [ib, new_b] = ba_.emplace(b, a);
    return ia->second == b && ib->second == a;
  }

 private:
  std::map<Revision, Revision> ab_, ba_;
};

void expect_same_records(MemoryStore& mem, EtcdStore& etcd, RevisionMap* revs, const std::string& where) {
  RunRecord rm, re;
  Revision vm = 0, ve = 0;
  ASSERT_EQ(mem.get_run(kRun, &rm, &vm), StoreStatus::Ok);
  ASSERT_EQ(etcd.get_run(kRun, &re, &ve), StoreStatus::Ok) << etcd.last_error();
  ASSERT_EQ(vm == 0, ve == 0) << where;
  if (vm != 0) {
    EXPECT_EQ(rm, re) << where;
  }
  EXPECT_TRUE(revs->same(vm, ve)) << where << ": run revisions " << vm << " / " << ve;
  Collect cm, ce;
  ASSERT_EQ(mem.scan_shards(kRun, &cm), StoreStatus::Ok);
  ASSERT_EQ(etcd.scan_shards(kRun, &ce), StoreStatus::Ok) << etcd.last_error();
  ASSERT_EQ(cm.shards.size(), ce.shards.size()) << where;
  for (size_t i = 0; i < cm.shards.size(); ++i) {
    EXPECT_EQ(cm.shards[i].first, ce.shards[i].first) << where << ": shard " << cm.shards[i].first.id;
    EXPECT_TRUE(revs->same(cm.shards[i].second, ce.shards[i].second)) << where << ": shard revisions";
  }
}

class EtcdDifferential : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    if (!LocalCluster::available()) GTEST_SKIP() << etcd::testing::kEtcdBinary << " not installed; skipped";
    std::string error;
    cluster_ = etcd::testing::shared_cluster(&error);
    ASSERT_NE(cluster_, nullptr) << error;
  }
  LocalCluster* cluster_ = nullptr;
};

TEST_P(EtcdDifferential, SameRepliesAndRecordsAfterEveryStep) {
  const uint64_t seed = GetParam();
  EtcdStoreOptions o;
  o.prefix = "/differential/" + std::to_string(seed) + "/";
  o.client.endpoints = cluster_->endpoints();
  o.scan_page = 3;  // small pages, so that scans cross page boundaries
  EtcdStore etcd(o);
  MemoryStore mem;
  Coordinator cm(&mem), ce(&etcd);
  RevisionMap revs;

  const CreateRunOp create{kTenant, kRun, RunConfig{300, 20}};
  ASSERT_EQ(describe(cm.create_run(create)), describe(ce.create_run(create)));
  RegisterShardsOp reg{kTenant, kRun, {{1, {"", "g"}}, {2, {"g", "p"}}, {3, {"p", ""}}}, 7};
  ASSERT_EQ(describe(cm.register_shards(0, reg)), describe(ce.register_shards(0, reg)));
  expect_same_records(mem, etcd, &revs, "after registration");

  OpGenerator gen(seed, &mem);
  Rng clock(seed * 31 + 1);
  int64_t now = 0;
  int ok = 0;
  for (int step = 0; step < 120 && !HasFailure(); ++step) {
    now += static_cast<int64_t>(clock.below(90));
    const Request req = gen.next(now);
    const Reply a = cm.apply(req, now);
    const Reply b = ce.apply(req, now);
    const std::string where =
        "seed " + std::to_string(seed) + " step " + std::to_string(step) + " (" + to_string(kind_of(req)) + ")";
    ASSERT_EQ(describe(a), describe(b)) << where << "; etcd: " << etcd.last_error();
    if (a.ok()) {
      ++ok;
      EXPECT_EQ(a->deadline_ms, b->deadline_ms) << where;
      EXPECT_EQ(a->spec, b->spec) << where;
      EXPECT_EQ(a->cursor, b->cursor) << where;
      EXPECT_EQ(a->spawned, b->spawned) << where;
    }
    gen.observe(req, a);
    expect_same_records(mem, etcd, &revs, where);
  }
  EXPECT_GT(ok, 20) << "the generator should produce successful operations too";
}

INSTANTIATE_TEST_SUITE_P(Seeds, EtcdDifferential, ::testing::Range<uint64_t>(1, 9));

}  // namespace
}  // namespace squall::etcd_store
