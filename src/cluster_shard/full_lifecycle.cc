#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/gossip_worker_db.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "etcd/client.h"
#include "etcd_store/content_set.h"
#include "etcd_store/record_codec.h"
#include "etcd_store/record_keys.h"
#include "history/value_json.h"
#include "worker/corpus.h"
#include "worker_audit/invariant_rows.h"

namespace squall::cluster_shard {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kPollMs = 500;

// A temporary directory for the traces the audit reads, removed with its content.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "squall-shard-audit-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Progress {
  int64_t done_items = -1;  // -1: etcd did not answer
  bool run_done = false;
};

class FullLifecycle final : public cluster::ClusterWorkload {
 public:
  explicit FullLifecycle(ShardOptions o) : o_(std::move(o)) {}

  std::string name() const override { return "full-lifecycle"; }

  Status run(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
             const std::function<void(workload::Op)>& record) override {
    auto client = members_client(nodes);
    while (!stop.load()) {
      Progress p = observe(client.get(), record);
      if (p.run_done) return {};
      for (int i = 0; i < kPollMs / 20 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
  }

  Status final_phase(const std::vector<cluster::Node*>& nodes,
                     const std::function<void(workload::Op)>& record) override {
    auto client = members_client(nodes);
    const auto deadline = Clock::now() + std::chrono::milliseconds(o_.settle_ms);
    Progress p = observe(client.get(), record, true);
    while (!p.run_done && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      p = observe(client.get(), record, true);
    }
    finished_ = p.run_done;
    TempDir dir;
    worker_audit::AuditInput in;
    in.prefix = o_.prefix;
    in.run = kShardRun;
    in.lease_ms = o_.lease_ms;
    in.claim_cooldown_ms = o_.claim_cooldown_ms;
    worker::Corpus corpus(o_.corpus_seed, o_.items);
    in.corpus = &corpus;
    std::string fetch_errors = fetch_traces(nodes, dir.path(), &in.trace_files);
    audit_ = worker_audit::audit_run(client.get(), in);
    if (!fetch_errors.empty()) audit_.reasons["ReadFailed"].push_back("traces: " + fetch_errors);
    workload::Op op;
    op.f = "audit";
    op.final = true;
    record(op);
    op.type = audit_.reasons.empty() ? workload::OpType::kOk : workload::OpType::kFail;
    op.value = history::to_json(history::Value(audit_.summary()));
    record(op);
    return {};
  }

  history::Value check(const workload::History&) override { return audit_results(audit_, finished_); }

 private:
  // One poll of the run's progress, recorded as an :invoke/:ok (or :info) pair.
  Progress observe(etcd::Client* c, const std::function<void(workload::Op)>& record, bool final = false) {
    workload::Op op;
    op.f = "progress";
    op.final = final;
    record(op);
    Progress p;
    const std::string done = etcd_store::done_prefix(o_.prefix, kShardRun);
    auto count = c->range(etcd::RangeRequest{done, etcd::prefix_end(done), 0, 0, true});
    auto run = c->range(etcd::RangeRequest{etcd_store::run_key(o_.prefix, kShardRun), "", 1, 0, false});
    if (count.ok()) p.done_items = count->count;
    if (run.ok() && run->kvs.size() == 1) {
      coord::RunRecord r;
      std::string why;
      p.run_done = etcd_store::decode_record(run->kvs[0].value, &r, &why) && r.status == coord::RunStatus::Done;
    }
    history::Value v = history::Value::array_map();
    v.set("done-items", history::Value(p.done_items));
    v.set("items", history::Value(static_cast<int64_t>(o_.items)));
    v.set("run-done", history::Value(p.run_done));
    op.type = count.ok() ? workload::OpType::kOk : workload::OpType::kInfo;
    op.value = history::to_json(v);
    if (!count.ok()) op.error = "[:etcd-unavailable]";
    record(op);
    return p;
  }

  // Every worker trace of every node, copied into `dir`; errors joined ("" if none).
  static std::string fetch_traces(const std::vector<cluster::Node*>& nodes, const std::string& dir,
                                  std::vector<std::string>* out) {
    std::string errors;
    if (dir.empty()) return "no temporary directory";
    for (cluster::Node* n : nodes) {
      auto ls = n->control->run({"ls", "-1", n->dir});
      if (!ls.ok()) {
        errors += ls.error() + "; ";
        continue;
      }
      std::istringstream names(*ls);
      std::string name;
      while (std::getline(names, name)) {
        if (name.rfind("worker-trace-", 0) != 0) continue;
        const std::string local = fmt::format("{}/{}-{}", dir, n->name, name);
        if (auto s = n->control->download(n->dir + "/" + name, local); !s) {
          errors += s.error() + "; ";
          continue;
        }
        out->push_back(local);
      }
    }
    return errors;
  }

  ShardOptions o_;
  worker_audit::AuditResult audit_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_full_lifecycle(const ShardOptions& options) {
  return std::make_unique<FullLifecycle>(options);
}

history::Value audit_results(const worker_audit::AuditResult& audit, bool finished) {
  const auto rows = worker_audit::invariant_rows(audit);
  history::Value table = history::Value::vector();
  history::Value anomalies = history::Value::vector();
  for (const auto& row : rows) {
    history::Value m = history::Value::array_map();
    m.set("name", history::Value(row.name));
    m.set("status", history::Value(row.pass ? "PASS" : "FAIL"));
    m.set("checks", history::Value(row.checks));
    table.push(std::move(m));
    for (const auto& v : row.violations) anomalies.push(history::Value(row.name + " — " + v));
  }
  // A reason that proves a broken invariant makes the run invalid. Not finishing in
  // time (and so items unprocessed and their findings missing) is a liveness question
  // the time limit may answer wrongly, and a failed read-back proves nothing: unknown.
  bool broken = false;
  for (const auto& tag : audit.tags()) {
    const bool unfinished_only =
        !finished && (tag == "RunNotDone" || tag == "ItemNotProcessed" || tag == "MissingFinding");
    broken |= tag != "ReadFailed" && !unfinished_only;
  }
  history::Value r = history::Value::array_map();
  if (broken) {
    r.set("valid?", history::Value(false));
  } else if (audit.reasons.empty() && finished) {
    r.set("valid?", history::Value(true));
  } else {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value(finished ? "the audit could not read everything back"
                                            : "the workers did not finish the corpus before the settle deadline"));
  }
  r.set("checker",
        history::Value("worker audit: sim::Checker on the records and their etcd history (S1-S9), sim::Conduct "
                       "on the workers' wire traces, done-ledger and findings against the ground truth"));
  r.set("invariants", std::move(table));
  r.set("anomalies", std::move(anomalies));
  r.set("shards", history::Value(static_cast<int64_t>(audit.shards)));
  r.set("splits", history::Value(static_cast<int64_t>(audit.splits)));
  r.set("record-versions", history::Value(static_cast<int64_t>(audit.versions)));
  r.set("findings", history::Value(static_cast<int64_t>(audit.findings)));
  r.set("done-items", history::Value(static_cast<int64_t>(audit.done_items)));
  r.set("requests-traced", history::Value(static_cast<int64_t>(audit.sends)));
  r.set("finished", history::Value(finished));
  return r;
}

}  // namespace squall::cluster_shard
