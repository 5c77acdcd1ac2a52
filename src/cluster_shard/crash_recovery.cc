#include "cluster_shard/crash_recovery.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "cluster_shard/crash_checks.h"
#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/gossip_worker_db.h"
#include "core/rng.h"
#include "etcd/client.h"
#include "etcd_store/content_set.h"
#include "etcd_store/record_codec.h"
#include "etcd_store/record_keys.h"

namespace squall::cluster_shard {
namespace {

constexpr int64_t kKillEveryMinMs = 1000, kKillEveryMaxMs = 3000;
constexpr int64_t kDownMinMs = 200, kDownMaxMs = 1000;
constexpr size_t kDetailsMax = 5;

// One killed incarnation.
struct Kill {
  cluster::Node* node = nullptr;
  int start = 0;                // worker_trace_file's n
  int64_t ledger_revision = 0;  // etcd's revision just before the kill; 0: not read
  int64_t ledger_count = -1;
};

// Every key under `prefix` at `revision` (0: the newest), paged.
bool read_keys(etcd::Client* c, const std::string& prefix, int64_t revision, std::set<std::string>* out,
               std::string* why) {
  etcd::RangeRequest req{prefix, etcd::prefix_end(prefix), 1000, revision, false};
  for (;;) {
    auto r = c->range(req);
    if (!r.ok()) {
      *why = describe(r.error());
      return false;
    }
    if (req.revision == 0) req.revision = r->header.revision;
    for (auto& kv : r->kvs) out->insert(std::move(kv.key));
    if (!r->more || r->kvs.empty()) return true;
    req.key = *out->rbegin() + std::string(1, '\0');
  }
}

class CrashRecovery final : public cluster::ClusterWorkload {
 public:
  CrashRecovery(ShardOptions o, uint64_t seed) : o_(std::move(o)), inner_(make_full_lifecycle(o_)), rng_(seed) {}

  std::string name() const override { return "crash-recovery"; }
  void attach(WorkerProcesses* w) { workers_ = w; }

  // The observer of full-lifecycle on this thread, the crashes on another, until the
  // run is Done or the time is up; then every crashed worker is running again.
  Status run(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
             const std::function<void(workload::Op)>& record) override {
    if (workers_ == nullptr) return err("crash-recovery needs the gossip-worker DB's worker processes");
    std::atomic<bool> halt{false};
    Status crash_status;
    std::thread crasher([&] { crash_status = crash_loop(nodes, stop, halt, record); });
    Status s = inner_->run(nodes, stop, record);
    halt = true;
    crasher.join();
    if (!s) return s;
    return crash_status;
  }

  Status final_phase(const std::vector<cluster::Node*>& nodes,
                     const std::function<void(workload::Op)>& record) override {
    Status s = inner_->final_phase(nodes, record);
    check_crashes(nodes);
    found_.kills = kills_.size();
    return s;
  }

  history::Value check(const workload::History& h) override { return with_crash_rows(inner_->check(h), found_); }

 private:
  // Sleeps `ms` in short steps; false when told to halt meanwhile.
  static bool nap(int64_t ms, const std::atomic<bool>& stop, const std::atomic<bool>& halt) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
      if (stop.load() || halt.load()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  static void note(const std::function<void(workload::Op)>& record, const std::string& f, std::string value) {
    workload::Op op;
    op.process = workload::kNemesisProcess;
    op.type = workload::OpType::kInfo;
    op.f = f;
    op.value = std::move(value);
    record(op);
  }

  Status crash_loop(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
                    const std::atomic<bool>& halt, const std::function<void(workload::Op)>& record) {
    auto client = members_client(nodes);
    const std::string done = etcd_store::done_prefix(o_.prefix, kShardRun);
    Status failure;
    while (nap(rng_.range(kKillEveryMinMs, kKillEveryMaxMs), stop, halt)) {
      cluster::Node* node = nodes[rng_.below(nodes.size())];
      // The ledger's revision just before the kill: what it held then must outlive it.
      Kill k{node, 0, 0, -1};
      auto count = client->range(etcd::RangeRequest{done, etcd::prefix_end(done), 0, 0, true});
      if (count.ok()) {
        k.ledger_revision = count->header.revision;
        k.ledger_count = count->count;
      }
      auto killed = workers_->kill_workers(*node);
      if (!killed.ok()) {
        failure = err(killed.error());
        break;
      }
      for (int n : *killed) {
        k.start = n;
        kills_.push_back(k);
      }
      note(record, "kill-worker",
           fmt::format(R"({{"node":"{}","incarnations":{},"ledger-items":{}}})", node->name, killed->size(),
                       k.ledger_count));
      // Down for a moment, then a new incarnation (even when told to stop meanwhile).
      nap(rng_.range(kDownMinMs, kDownMaxMs), stop, halt);
      if (auto s = workers_->restart_workers(*node); !s) {
        failure = s;
        break;
      }
      if (!killed->empty()) note(record, "start-worker", fmt::format(R"({{"node":"{}"}})", node->name));
    }
    // No worker stays down into the final phase.
    for (cluster::Node* n : nodes) {
      if (auto s = workers_->restart_workers(*n); !s && failure) failure = s;
    }
    return failure;
  }

  // The killed incarnations' traces against the records and the ledger afterwards.
  void check_crashes(const std::vector<cluster::Node*>& nodes) {
    auto client = members_client(nodes);
    std::map<coord::ShardId, coord::ShardRecord> after;
    std::string why;
    auto shards = client->range(etcd::RangeRequest{etcd_store::shard_prefix(o_.prefix, kShardRun),
                                                   etcd::prefix_end(etcd_store::shard_prefix(o_.prefix, kShardRun)), 0,
                                                   0, false});
    if (!shards.ok()) return found_.read_errors.push_back("shard records: " + describe(shards.error()));
    for (const auto& kv : shards->kvs) {
      coord::ShardRecord s;
      if (!etcd_store::decode_record(kv.value, &s, &why)) return found_.read_errors.push_back("shard record: " + why);
      after[s.id] = std::move(s);
    }
    std::set<std::string> ledger_now;
    const std::string done = etcd_store::done_prefix(o_.prefix, kShardRun);
    if (!read_keys(client.get(), done, 0, &ledger_now, &why))
      return found_.read_errors.push_back("done-ledger: " + why);
    for (const Kill& k : kills_) {
      const std::string file = worker_trace_file(*k.node, k.start);
      auto text = k.node->control->run({"cat", file}, 30'000);
      if (!text.ok()) {
        found_.read_errors.push_back(fmt::format("{}: {}", file, text.error()));
      } else {
        const IncarnationTrace t = read_incarnation_trace(*text, kShardTenant, kShardRun);
        if (t.in_flight == coord::OpKind::Checkpoint)
          ++found_.mid_checkpoint;
        else if (t.in_flight == coord::OpKind::Complete)
          ++found_.mid_complete;
        else if (t.in_flight)
          ++found_.mid_other;
        found_.acked_checked += t.acked.size();
        for (auto& v : lost_checkpoints(t.acked, after)) {
          if (found_.lost_checkpoints.size() < kDetailsMax)
            found_.lost_checkpoints.push_back(fmt::format("{} incarnation {}: {}", k.node->name, k.start, v));
        }
      }
      if (k.ledger_revision == 0) continue;  // etcd did not answer before this kill
      std::set<std::string> before;
      if (!read_keys(client.get(), done, k.ledger_revision, &before, &why)) {
        found_.read_errors.push_back(fmt::format("done-ledger at revision {}: {}", k.ledger_revision, why));
        continue;
      }
      found_.ledger_checked += before.size();
      for (const auto& key : missing_entries(before, ledger_now, kDetailsMax)) {
        if (found_.lost_ledger.size() < kDetailsMax)
          found_.lost_ledger.push_back(fmt::format("{} (in the ledger before the kill of {} incarnation {}) is gone",
                                                   key, k.node->name, k.start));
      }
    }
  }

  ShardOptions o_;
  std::unique_ptr<cluster::ClusterWorkload> inner_;
  Rng rng_;
  WorkerProcesses* workers_ = nullptr;
  std::vector<Kill> kills_;  // written by the crash thread, read after it is joined
  CrashFindings found_;
};

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_crash_recovery(const ShardOptions& options, uint64_t seed) {
  return std::make_unique<CrashRecovery>(options, seed);
}

void attach_worker_processes(cluster::ClusterWorkload* workload, WorkerProcesses* workers) {
  if (auto* c = dynamic_cast<CrashRecovery*>(workload)) c->attach(workers);
}

}  // namespace squall::cluster_shard
