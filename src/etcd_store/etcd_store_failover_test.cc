// EtcdStore while the etcd member its client uses is SIGKILLed: coordination ops go on
// through the other members; the op in flight at the kill answers Indeterminate (or
// Unavailable, or succeeds), never a wrong definite answer; retried with the same op_id
// it completes exactly once. Also the findings set: a retried add never duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "coord/coordinator.h"
#include "coord/records.h"
#include "etcd/testing/shared_cluster.h"
#include "etcd_store/content_set.h"
#include "etcd_store/etcd_store.h"

namespace squall::etcd_store {
namespace {

using namespace squall::coord;
using namespace std::chrono_literals;
using etcd::testing::LocalCluster;

auto* const kEnv = ::testing::AddGlobalTestEnvironment(new etcd::testing::SharedClusterEnvironment);

constexpr TenantId kTenant = 1;
constexpr RunId kRun = 9;

class EtcdStoreFailover : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!LocalCluster::available()) GTEST_SKIP() << etcd::testing::kEtcdBinary << " not installed; skipped";
    std::string error;
    cluster_ = etcd::testing::shared_cluster(&error);
    ASSERT_NE(cluster_, nullptr) << error;
  }
  EtcdStoreOptions options(const std::string& prefix) const {
    EtcdStoreOptions o;
    o.prefix = prefix;
    o.client.endpoints = cluster_->endpoints();
    o.client.request_timeout = 3s;
    return o;
  }
  LocalCluster* cluster_ = nullptr;
};

// An add whose effect is unknown or nil: adding again is safe (put-if-absent).
bool retry(AddStatus s) { return s == AddStatus::Indeterminate || s == AddStatus::Unavailable; }

bool transient(const Reply& r) {
  return !r.ok() && (r.error().code == CoordErrc::Indeterminate || r.error().code == CoordErrc::Unavailable);
}

TEST_F(EtcdStoreFailover, CheckpointsContinueWhenTheMemberInUseIsKilled) {
  EtcdStore store(options("/failover/a/"));
  Coordinator coord(&store);
  ASSERT_TRUE(coord.create_run(CreateRunOp{kTenant, kRun, RunConfig{1'000'000'000, 0}}).ok());
  ASSERT_TRUE(coord.register_shards(0, RegisterShardsOp{kTenant, kRun, {{1, {"", ""}}}, 1}).ok());
  auto grant = coord.acquire(0, AcquireOp{ShardRef{kTenant, kRun, 1}, 5});
  ASSERT_TRUE(grant.ok());
  const LeaseToken lease{ShardRef{kTenant, kRun, 1}, 5, grant->fence};

  const int victim = static_cast<int>(store.client().current_index());
  std::thread killer([&] {
    std::this_thread::sleep_for(150ms);
    cluster_->kill(victim);
  });
  int transients = 0;
  const int kSteps = 150;
  for (int i = 1; i <= kSteps; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%05d", i);
    const CheckpointOp op{lease, Cursor{key, "t"}, static_cast<OpId>(100 + i)};
    Reply r = coord.checkpoint(i, op);
    // Retry a transient answer with the same op_id until it is definite.
    for (int attempt = 0; transient(r) && attempt < 20; ++attempt) {
      ++transients;
      r = coord.checkpoint(i, op);
    }
    ASSERT_TRUE(r.ok()) << "step " << i << ": " << to_string(r.error().code) << " / " << store.last_error();
    ShardRecord rec;
    Revision rev = 0;
    ASSERT_EQ(store.get_shard(kRun, 1, &rec, &rev), StoreStatus::Ok) << store.last_error();
    EXPECT_EQ(rec.cursor.last_key, key) << "step " << i;  // applied exactly as acknowledged
    EXPECT_EQ(rec.fence, grant->fence);
    EXPECT_EQ(check_invariants(rec), nullptr);
  }
  killer.join();
  EXPECT_NE(store.client().current_index(), static_cast<size_t>(victim)) << "the client moved to another member";
  EXPECT_LE(transients, 5);
  std::string error;
  ASSERT_TRUE(cluster_->restart(victim, &error)) << error;
}

TEST_F(EtcdStoreFailover, FindingsAreWrittenOnceAcrossRetriesAndAKill) {
  EtcdStore store(options("/failover/b/"));
  ContentSet findings(&store.client(), findings_prefix(store.prefix(), kRun));
  ContentSet done(&store.client(), done_prefix(store.prefix(), kRun));
  const int victim = static_cast<int>(store.client().current_index());
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    cluster_->kill(victim);
  });
  // Every page is written twice (a replayed page) and every transient answer retried.
  for (int round = 0; round < 2; ++round) {
    for (int item = 0; item < 120; ++item) {
      const std::string finding = "item-" + std::to_string(item) + "|rule-aws-key|offset-" + std::to_string(item * 7);
      AddStatus s = findings.add(finding);
      for (int attempt = 0; retry(s) && attempt < 20; ++attempt) s = findings.add(finding);
      ASSERT_TRUE(s == AddStatus::Added || s == AddStatus::Present) << to_string(s) << findings.last_error();
      if (round == 1) {
        EXPECT_EQ(s, AddStatus::Present) << finding;
      }
      if (item % 10 == 9) {
        AddStatus d = done.add("page-" + std::to_string(item / 10));
        for (int attempt = 0; retry(d) && attempt < 20; ++attempt) d = done.add("page-" + std::to_string(item / 10));
        ASSERT_TRUE(d == AddStatus::Added || d == AddStatus::Present);
      }
    }
  }
  killer.join();
  std::vector<std::string> all;
  ASSERT_TRUE(findings.list(&all)) << findings.last_error();
  EXPECT_EQ(all.size(), 120u);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::string> pages;
  ASSERT_TRUE(done.list(&pages));
  EXPECT_EQ(pages.size(), 12u);
  std::string error;
  ASSERT_TRUE(cluster_->restart(victim, &error)) << error;
}

// A page's findings in one Txn; the replayed page finds them all Present; a page that
// mixes old and new adds only the new ones; a finding twice in a page is added once.
TEST_F(EtcdStoreFailover, FindingsOfAPageAreAddedTogetherAndOnce) {
  EtcdStore store(options("/failover/d/"));
  ContentSet findings(&store.client(), findings_prefix(store.prefix(), kRun));
  std::vector<std::string> page;
  for (int i = 0; i < 30; ++i) page.push_back("item-" + std::to_string(i) + "|rule");
  std::vector<AddStatus> st;
  ASSERT_TRUE(findings.add_all(page, &st)) << findings.last_error();
  for (AddStatus s : st) EXPECT_EQ(s, AddStatus::Added);
  ASSERT_TRUE(findings.add_all(page, &st));
  for (AddStatus s : st) EXPECT_EQ(s, AddStatus::Present);
  std::vector<std::string> mixed = {page[0], "item-new|rule", page[1], "item-new|rule"};
  ASSERT_TRUE(findings.add_all(mixed, &st));
  EXPECT_EQ(st, (std::vector<AddStatus>{AddStatus::Present, AddStatus::Added, AddStatus::Present, AddStatus::Added}));
  std::vector<std::string> all;
  ASSERT_TRUE(findings.list(&all));
  EXPECT_EQ(all.size(), 31u);
}

// Four workers, each with its own store (own client, own connections), claim the same
// run's shards concurrently: every compare-and-swap is a guarded Txn, so no shard is
// ever handed to two workers and every shard ends Done exactly once.
TEST_F(EtcdStoreFailover, ContendingWorkersNeverShareAShard) {
  constexpr int kShards = 40;
  {
    EtcdStore setup(options("/failover/c/"));
    Coordinator c(&setup);
    ASSERT_TRUE(c.create_run(CreateRunOp{kTenant, kRun, RunConfig{1'000'000'000, 0}}).ok());
    RegisterShardsOp reg{kTenant, kRun, {}, 1};
    for (int i = 0; i < kShards; ++i) {
      reg.shards.push_back(
          RootSpec{static_cast<ShardId>(i + 1), KeyRange{i == 0 ? "" : "k" + std::to_string(100 + i),
                                                         i + 1 == kShards ? "" : "k" + std::to_string(101 + i)}});
    }
    ASSERT_TRUE(c.register_shards(0, reg).ok());
  }
  std::mutex mu;
  std::map<ShardId, int> claimed;
  std::atomic<int> contention{0};
  std::vector<std::thread> workers;
  for (WorkerId w = 1; w <= 4; ++w) {
    workers.emplace_back([&, w] {
      EtcdStore store(options("/failover/c/"));
      Coordinator c(&store);
      for (int guard = 0; guard < 10 * kShards; ++guard) {
        Reply r = c.claim_next(1, ClaimNextOp{kTenant, kRun, w});
        if (!r.ok()) {
          if (r.error().code == CoordErrc::NoShardAvailable) return;
          ++contention;
          continue;
        }
        {
          std::lock_guard<std::mutex> g(mu);
          ++claimed[r->shard];
        }
        const LeaseToken lease{ShardRef{kTenant, kRun, r->shard}, w, r->fence};
        Reply done = c.complete(2, CompleteOp{lease, Cursor{}, 1000 + r->shard});
        EXPECT_TRUE(done.ok()) << to_string(done.error().code);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kShards));
  for (const auto& [shard, n] : claimed) EXPECT_EQ(n, 1) << "shard " << shard << " claimed " << n << " times";
  EtcdStore check(options("/failover/c/"));
  for (ShardId id = 1; id <= kShards; ++id) {
    ShardRecord rec;
    Revision rev = 0;
    ASSERT_EQ(check.get_shard(kRun, id, &rec, &rev), StoreStatus::Ok);
    EXPECT_EQ(rec.status, ShardStatus::Done) << id;
    EXPECT_EQ(rec.fence, 2u) << id;
  }
}

}  // namespace
}  // namespace squall::etcd_store
