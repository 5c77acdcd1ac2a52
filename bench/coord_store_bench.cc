// Coordination throughput on each RecordStore backend: workers claim shards, checkpoint
// each three times and complete it, until the run has nothing left to claim. Reports
// coordination ops/s and per-op p50/p99 for 1 worker and for 4 contending workers
// (every claim rewrites the run record, so concurrent claims race on one key), with
// MemoryStore (behind a mutex) and EtcdStore on a local 3-member cluster in the same run.
//
//   ./build/bench/coord_store_bench [--shards N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "coord/coordinator.h"
#include "coord/memory_store.h"
#include "etcd/testing/local_cluster.h"
#include "etcd_store/etcd_store.h"

namespace {

using namespace squall::coord;
using Clock = std::chrono::steady_clock;

constexpr TenantId kTenant = 1;
constexpr RunId kRun = 1;

// MemoryStore shared by threads: every call under one mutex (MemoryStore is not
// thread-safe), which is how an in-process deployment would share it.
class LockedStore final : public RecordStore {
 public:
  StoreStatus get_run(RunId run, RunRecord* out, Revision* rev) override {
    std::lock_guard<std::mutex> g(mu_);
    return store_.get_run(run, out, rev);
  }
  StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* rev) override {
    std::lock_guard<std::mutex> g(mu_);
    return store_.get_shard(run, shard, out, rev);
  }
  StoreStatus scan_shards(RunId run, ShardVisitor* v) override {
    std::lock_guard<std::mutex> g(mu_);
    return store_.scan_shards(run, v);
  }
  StoreStatus commit(const Txn& txn) override {
    std::lock_guard<std::mutex> g(mu_);
    return store_.commit(txn);
  }
  StoreStatus first_claimable(RunId run, int64_t now_ms, ShardRecord* out, Revision* rev) override {
    std::lock_guard<std::mutex> g(mu_);
    return store_.first_claimable(run, now_ms, out, rev);
  }

 private:
  std::mutex mu_;
  MemoryStore store_;
};

struct Stats {
  std::vector<double> us;
  int contention = 0;
  int other_errors = 0;
};

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void setup_run(RecordStore* store, int shards) {
  Coordinator c(store);
  if (!c.create_run(CreateRunOp{kTenant, kRun, RunConfig{600'000, 0}}).ok()) std::abort();
  RegisterShardsOp reg{kTenant, kRun, {}, 1};
  for (int i = 0; i < shards; ++i) {
    char lo[16], hi[16];
    std::snprintf(lo, sizeof lo, "k%05d", i);
    std::snprintf(hi, sizeof hi, "k%05d", i + 1);
    reg.shards.push_back(RootSpec{static_cast<ShardId>(i + 1), KeyRange{i == 0 ? "" : lo, i + 1 == shards ? "" : hi}});
  }
  if (!c.register_shards(0, reg).ok()) std::abort();
}

// One worker: claim, three checkpoints, complete; until nothing is left to claim.
void work(RecordStore* store, WorkerId worker, Clock::time_point epoch, Stats* stats) {
  Coordinator c(store);
  OpId op = worker * 1'000'000;
  auto now = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch).count(); };
  auto timed = [&](auto&& f) {
    auto a = Clock::now();
    Reply r = f();
    stats->us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
    if (!r.ok() && r.error().code == CoordErrc::Contention) ++stats->contention;
    return r;
  };
  for (;;) {
    Reply claim = timed([&] { return c.claim_next(now(), ClaimNextOp{kTenant, kRun, worker}); });
    if (!claim.ok()) {
      if (claim.error().code == CoordErrc::NoShardAvailable) return;
      if (claim.error().code != CoordErrc::Contention) ++stats->other_errors;
      continue;
    }
    const LeaseToken lease{ShardRef{kTenant, kRun, claim->shard}, worker, claim->fence};
    const std::string base = claim->spec.start;
    for (int i = 0; i < 3; ++i) {
      Cursor cur{base + static_cast<char>('a' + i), "t"};
      Reply r = timed([&] { return c.checkpoint(now(), CheckpointOp{lease, cur, ++op}); });
      if (!r.ok()) ++stats->other_errors;
    }
    Reply done = timed([&] { return c.complete(now(), CompleteOp{lease, Cursor{}, ++op}); });
    if (!done.ok()) ++stats->other_errors;
  }
}

void measure(const char* name, int workers, int shards, const std::function<std::unique_ptr<RecordStore>()>& make) {
  // Stores: one shared (memory) or one per worker (etcd: a client per thread).
  std::vector<std::unique_ptr<RecordStore>> stores;
  stores.push_back(make());
  const bool shared = dynamic_cast<LockedStore*>(stores[0].get()) != nullptr;
  for (int i = 1; i < workers && !shared; ++i) stores.push_back(make());
  setup_run(stores[0].get(), shards);
  std::vector<Stats> stats(static_cast<size_t>(workers));
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int w = 0; w < workers; ++w) {
    RecordStore* s = stores[shared ? 0 : static_cast<size_t>(w)].get();
    pool.emplace_back(work, s, static_cast<WorkerId>(w + 1), start, &stats[static_cast<size_t>(w)]);
  }
  for (std::thread& t : pool) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Stats all;
  for (Stats& s : stats) {
    all.us.insert(all.us.end(), s.us.begin(), s.us.end());
    all.contention += s.contention;
    all.other_errors += s.other_errors;
  }
  const double n = static_cast<double>(all.us.size());
  std::printf("%-7s workers=%d  %6.0f ops  %9.0f ops/s  p50 %8.1f us  p99 %8.1f us  contention %d  errors %d\n", name,
              workers, n, n / secs, pct(all.us, 0.5), pct(all.us, 0.99), all.contention, all.other_errors);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int shards = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--shards") == 0) shards = std::atoi(argv[i + 1]);
  }
  if (shards <= 0 || shards > 4000) {
    std::fprintf(stderr, "usage: coord_store_bench [--shards 1..4000]\n");
    return 2;
  }
  std::string error;
  auto cluster = squall::etcd::testing::LocalCluster::start({}, &error);
  if (cluster == nullptr) {
    std::fprintf(stderr, "coord_store_bench: %s\n", error.c_str());
    return 1;
  }
  int prefix = 0;
  auto memory = [] { return std::unique_ptr<RecordStore>(new LockedStore); };
  auto etcd = [&] {
    squall::etcd_store::EtcdStoreOptions o;
    o.prefix = "/bench/" + std::to_string(prefix) + "/";
    o.client.endpoints = cluster->endpoints();
    o.client.request_timeout = std::chrono::seconds(5);
    return std::unique_ptr<RecordStore>(new squall::etcd_store::EtcdStore(o));
  };
  for (int workers : {1, 4}) {
    measure("memory", workers, shards, memory);
    ++prefix;
    measure("etcd", workers, shards, etcd);
  }
  return 0;
}
