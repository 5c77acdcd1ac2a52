// The client against a live 3-member LocalCluster: every operation, failover when the
// member in use is killed, and nothing left behind afterwards. Skips without etcd.
#include "etcd/client.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "core/testing/subprocess.h"
#include "etcd/testing/local_cluster.h"

namespace squall::etcd {
namespace {

using testing::LocalCluster;
using testing::LocalClusterOptions;
using namespace std::chrono_literals;

class EtcdClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!LocalCluster::available()) return;
    std::string error;
    cluster_ = LocalCluster::start(LocalClusterOptions{}, &error).release();
    ASSERT_NE(cluster_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    if (cluster_ == nullptr) return;
    std::vector<pid_t> pids;
    for (int i = 0; i < cluster_->size(); ++i) pids.push_back(cluster_->pid(i));
    const std::string root = cluster_->root();
    delete cluster_;
    cluster_ = nullptr;
    // Nothing is left: no member process, no data directory.
    for (pid_t p : pids) EXPECT_TRUE(testing::process_gone(p)) << p;
    EXPECT_FALSE(std::filesystem::exists(root)) << root;
  }
  void SetUp() override {
    if (!LocalCluster::available()) GTEST_SKIP() << testing::kEtcdBinary << " not installed; etcd tests skipped";
    ASSERT_NE(cluster_, nullptr);
  }
  Client client() {
    ClientOptions o;
    o.endpoints = cluster_->endpoints();
    return Client(o);
  }
  static LocalCluster* cluster_;
};
LocalCluster* EtcdClientTest::cluster_ = nullptr;

TEST_F(EtcdClientTest, PutRangeDeleteCarryRevisions) {
  Client c = client();
  auto p1 = c.put(PutRequest{"t1/a", std::string("v\0\xff", 3)});
  ASSERT_TRUE(p1.ok()) << describe(p1.error());
  auto p2 = c.put(PutRequest{"t1/b", "w"});
  ASSERT_TRUE(p2.ok());
  EXPECT_GT(p2->header.revision, p1->header.revision);
  auto r = c.range(RangeRequest{"t1/", prefix_end("t1/")});
  ASSERT_TRUE(r.ok()) << describe(r.error());
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].value, std::string("v\0\xff", 3));
  EXPECT_EQ(r->kvs[0].mod_revision, p1->header.revision);
  EXPECT_EQ(r->kvs[0].create_revision, p1->header.revision);
  EXPECT_EQ(r->kvs[0].version, 1);
  // limit and an older revision.
  auto lim = c.range(RangeRequest{"t1/", prefix_end("t1/"), 1});
  ASSERT_TRUE(lim.ok());
  EXPECT_EQ(lim->kvs.size(), 1u);
  EXPECT_TRUE(lim->more);
  auto old = c.range(RangeRequest{"t1/", prefix_end("t1/"), 0, p1->header.revision});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->kvs.size(), 1u);
  auto d = c.delete_range(DeleteRequest{"t1/", prefix_end("t1/")});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->deleted, 2);
}

TEST_F(EtcdClientTest, TxnComparesEveryTarget) {
  Client c = client();
  ASSERT_TRUE(c.put(PutRequest{"t2/k", "one"}).ok());
  auto r = c.range(RangeRequest{"t2/k"});
  ASSERT_TRUE(r.ok());
  const KeyValue kv = r->kvs.at(0);
  TxnRequest ok_txn;
  ok_txn.compares = {Compare::mod_revision("t2/k", CompareOp::Equal, kv.mod_revision),
                     Compare::create_revision("t2/k", CompareOp::Less, kv.create_revision + 1),
                     Compare::version("t2/k", CompareOp::Greater, 0),
                     Compare::value_is("t2/k", CompareOp::NotEqual, "two"),
                     Compare::create_revision("t2/absent", CompareOp::Equal, 0)};
  ok_txn.success = {TxnOp::make_put("t2/k", "two"), TxnOp::make_range(RangeRequest{"t2/k"}),
                    TxnOp::make_delete("t2/absent")};
  ok_txn.failure = {TxnOp::make_range(RangeRequest{"t2/k"})};
  auto t = c.txn(ok_txn);
  ASSERT_TRUE(t.ok()) << describe(t.error());
  EXPECT_TRUE(t->succeeded);
  ASSERT_EQ(t->results.size(), 3u);
  EXPECT_EQ(t->results[1].range.kvs.at(0).value, "two");
  // The same compares fail now (mod_revision moved): the failure branch runs.
  auto f = c.txn(ok_txn);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->succeeded);
  ASSERT_EQ(f->results.size(), 1u);
  EXPECT_EQ(f->results[0].range.kvs.at(0).version, 2);
}

TEST_F(EtcdClientTest, LeasesGrantKeepAliveTimeToLiveRevoke) {
  Client c = client();
  auto g = c.lease_grant(5, c.default_deadline());
  ASSERT_TRUE(g.ok()) << describe(g.error());
  ASSERT_TRUE(c.put(PutRequest{"t3/leased", "x", g->id}).ok());
  auto k = c.lease_keep_alive_once(g->id, c.default_deadline());
  ASSERT_TRUE(k.ok()) << describe(k.error());
  EXPECT_EQ(k->ttl_s, 5);
  auto ttl = c.lease_time_to_live(g->id, c.default_deadline());
  ASSERT_TRUE(ttl.ok());
  EXPECT_EQ(ttl->granted_ttl_s, 5);
  EXPECT_GT(ttl->ttl_s, 0);
  auto r = c.range(RangeRequest{"t3/leased"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kvs.at(0).lease, g->id);
  ASSERT_TRUE(c.lease_revoke(g->id, c.default_deadline()).ok());
  auto gone = c.range(RangeRequest{"t3/leased"});
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->kvs.empty());  // the lease took its key with it
  // A definite error from etcd: Rejected with etcd's code, never by message text.
  auto again = c.lease_revoke(g->id, c.default_deadline());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::Rejected);
  EXPECT_EQ(again.error().code, kGrpcNotFound);
  auto put_bad = c.put(PutRequest{"t3/x", "y", 12345});
  ASSERT_FALSE(put_bad.ok());
  EXPECT_EQ(put_bad.error().kind, ErrorKind::Rejected);
}

TEST_F(EtcdClientTest, LockIsExclusiveUntilUnlocked) {
  Client a = client();
  Client b = client();
  auto la = a.lease_grant(10, a.default_deadline());
  auto lb = b.lease_grant(10, b.default_deadline());
  ASSERT_TRUE(la.ok() && lb.ok());
  auto held = a.lock("t4/lock", la->id, a.default_deadline());
  ASSERT_TRUE(held.ok()) << describe(held.error());
  // b waits: its deadline passes while a holds the lock.
  auto blocked = b.lock("t4/lock", lb->id, Client::in(300ms));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, ErrorKind::Indeterminate);
  ASSERT_TRUE(b.lease_revoke(lb->id, b.default_deadline()).ok());  // drops b's waiter
  ASSERT_TRUE(a.unlock(held->key, a.default_deadline()).ok());
  auto lb2 = b.lease_grant(10, b.default_deadline());
  ASSERT_TRUE(lb2.ok());
  auto got = b.lock("t4/lock", lb2->id, b.default_deadline());
  ASSERT_TRUE(got.ok()) << describe(got.error());
  EXPECT_GT(got->header.revision, held->header.revision);
  ASSERT_TRUE(b.unlock(got->key, b.default_deadline()).ok());
  ASSERT_TRUE(a.lease_revoke(la->id, a.default_deadline()).ok());
  ASSERT_TRUE(b.lease_revoke(lb2->id, b.default_deadline()).ok());
}

// Kill the member the client talks to, mid-stream of writes: each write either succeeds
// or is Indeterminate (the one in flight), never a wrong definite answer; later ops go
// through the other members; what succeeded is in the store.
TEST_F(EtcdClientTest, FailoverWhenTheMemberInUseIsKilled) {
  Client c = client();
  ASSERT_TRUE(c.put(PutRequest{"t5/warm", "x"}).ok());
  const int victim = static_cast<int>(c.current_index());
  std::vector<int> acked;
  std::atomic<bool> stop{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    cluster_->kill(victim);
  });
  int indeterminate = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = c.put(PutRequest{"t5/k" + std::to_string(i), "v"}, Client::in(3s));
    if (r.ok()) {
      acked.push_back(i);
    } else {
      ASSERT_EQ(r.error().kind, ErrorKind::Indeterminate) << describe(r.error());
      ++indeterminate;
    }
  }
  killer.join();
  EXPECT_LE(indeterminate, 3);
  EXPECT_NE(c.current_index(), static_cast<size_t>(victim));
  auto all = c.range(RangeRequest{"t5/k", prefix_end("t5/k")});
  ASSERT_TRUE(all.ok()) << describe(all.error());
  EXPECT_GE(all->kvs.size(), acked.size());
  std::set<std::string> present;
  for (const KeyValue& kv : all->kvs) present.insert(kv.key);
  for (int i : acked) EXPECT_TRUE(present.count("t5/k" + std::to_string(i))) << i;
  std::string error;
  ASSERT_TRUE(cluster_->restart(victim, &error)) << error;
}

TEST_F(EtcdClientTest, UnavailableWhenNoMemberListens) {
  // A cluster of one, stopped: every endpoint refuses the connection.
  std::string error;
  auto solo = LocalCluster::start(LocalClusterOptions{.members = 1}, &error);
  ASSERT_NE(solo, nullptr) << error;
  ClientOptions o;
  o.endpoints = solo->endpoints();
  o.request_timeout = 300ms;
  const pid_t pid = solo->pid(0);
  const std::string root = solo->root();
  solo.reset();
  EXPECT_TRUE(testing::process_gone(pid));
  EXPECT_FALSE(std::filesystem::exists(root));
  Client c(o);
  auto r = c.put(PutRequest{"k", "v"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << describe(r.error());
}

// A test process that dies by SIGKILL (no destructor runs) still takes its members with
// it: they run with PR_SET_PDEATHSIG. Its data directory stays (nothing can run after
// SIGKILL); this test removes it.
TEST(LocalClusterLifetime, MembersDieWithAKilledTest) {
  if (!LocalCluster::available()) GTEST_SKIP() << testing::kEtcdBinary << " not installed; skipped";
  auto child = squall::testing::Subprocess::fork([] {
    std::string error;
    auto c = LocalCluster::start(LocalClusterOptions{.members = 1}, &error);
    if (c == nullptr) return 1;
    std::printf("%d %s\n", static_cast<int>(c->pid(0)), c->root().c_str());
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(1s);
  });
  auto line = child.read_line(15s);
  ASSERT_TRUE(line.has_value()) << "the child did not start its cluster";
  std::istringstream in(*line);
  int pid = 0;
  std::string root;
  in >> pid >> root;
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(testing::process_gone(pid));
  child.signal(SIGKILL);
  ASSERT_TRUE(child.wait_for(5s).has_value());
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = testing::process_gone(pid);
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone) << "etcd member " << pid << " outlived its killed test";
  if (!gone) ::kill(pid, SIGKILL);  // leave nothing behind, even when failing
  ASSERT_NE(root.find("/squall-etcd-"), std::string::npos) << root;
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace squall::etcd
