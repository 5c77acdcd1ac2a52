#include "cluster/run.h"

#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "cluster/cluster_report.h"
#include "cluster/cluster_visuals.h"
#include "cluster/nemesis.h"
#include "harness/store.h"
#include "history/value_json.h"

namespace squall::cluster {
namespace {

using Clock = std::chrono::steady_clock;

int64_t ms_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

bool stopping(const RunOptions& o) { return o.stop && o.stop->load(); }

// Sleeps up to ms, waking early when a stop is requested; false if it was.
bool sleep_unless_stopped(const RunOptions& o, int64_t ms) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    if (stopping(o)) return false;
    std::this_thread::sleep_for(std::min(
        std::chrono::milliseconds(20),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) + std::chrono::milliseconds(1)));
  }
  return !stopping(o);
}

// The history as it is recorded: ops get :index and :time here, under one lock.
class Recorder {
 public:
  Recorder(harness::Store* store, Clock::time_point t0, std::function<void(const workload::Op&)> on_op)
      : store_(store), t0_(t0), on_op_(std::move(on_op)) {}
  void record(workload::Op op) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      op.index = static_cast<int64_t>(history_.size());
      op.time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count();
      store_->append_op(op);
      store_->flush();
      history_.push_back(op);
    }
    if (on_op_) on_op_(op);
  }
  void nemesis(history::OpType type, const std::string& f, const history::Value& value, bool final = false) {
    workload::Op op;
    op.type = type;
    op.process = workload::kNemesisProcess;
    op.f = f;
    op.value = history::to_json(value);
    op.final = final;
    record(std::move(op));
  }
  int64_t now_ns() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0_).count(); }
  workload::History snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return history_;
  }

 private:
  harness::Store* store_;
  Clock::time_point t0_;
  std::function<void(const workload::Op&)> on_op_;
  std::mutex mu_;
  workload::History history_;
};

class Logger {
 public:
  Logger(harness::Store* store, std::FILE* console) : store_(store), console_(console) {}
  void operator()(const std::string& line) {
    store_->log(line);
    store_->flush();
    if (console_) {
      std::fprintf(console_, "%s\n", line.c_str());
      std::fflush(console_);
    }
  }

 private:
  harness::Store* store_;
  std::FILE* console_;
};

}  // namespace

Result<RunOutcome> run_cluster_test(const RunOptions& o, std::FILE* console) {
  auto store_r = harness::Store::create(o.store_root, o.test_name);
  if (!store_r.ok()) return err(store_r.error());
  std::unique_ptr<harness::Store> store = std::move(*store_r);
  Logger log(store.get(), console);
  RunOutcome out;
  out.store_dir = store->dir();
  log(fmt::format("seed {} (reproduce with --test-seed {})", o.seed, o.seed));

  const auto t_up = Clock::now();
  auto cluster_r = Cluster::create(o.cluster);
  if (!cluster_r.ok()) return err(cluster_r.error());
  std::unique_ptr<Cluster> cluster = std::move(*cluster_r);
  std::string names;
  for (auto& n : cluster->nodes()) names += fmt::format(" {}={}", n.name, n.address);
  log(fmt::format("cluster {} ({}):{}", cluster->tag(), cluster->local() ? "local namespaces" : "ssh", names));
  if (auto s = cluster->start_db(o.make_db ? o.make_db() : etcd_db(o.etcd), o.ready_timeout_ms); !s) {
    (void)cluster->collect(store->dir());
    Status d = cluster->destroy();
    return err(s.error() + (d ? "" : "; teardown: " + d.error()));
  }
  out.bringup_ms = ms_since(t_up);
  log(fmt::format("etcd ready on {} nodes in {} ms", cluster->nodes().size(), out.bringup_ms));

  Recorder rec(store.get(), Clock::now(), o.on_op);
  NemesisContext ctx{cluster->node_ptrs(), cluster->db(), {}};
  if (o.workload) ctx.hot_node = [&o] { return o.workload->hot_node(); };
  std::vector<std::unique_ptr<Nemesis>> nemeses;
  for (const auto& name : o.nemeses) nemeses.push_back(make_nemesis(name));
  Rng rng = Rng(o.seed).fork("cluster-nemesis");

  std::atomic<bool> workload_stop{false};
  Status workload_status;
  std::thread workload_thread;
  if (o.workload) {
    workload_thread = std::thread([&] {
      workload_status = o.workload->run(ctx.nodes, workload_stop, [&](workload::Op op) { rec.record(std::move(op)); });
    });
  }

  // The schedule: quiet interval, fault, interval, heal; repeated until the time limit.
  std::string fault_errors;
  const auto t_run = Clock::now();
  auto left = [&] { return o.time_limit_ms - ms_since(t_run); };
  while (!nemeses.empty() && left() > 0 && !stopping(o)) {
    if (!sleep_unless_stopped(o, std::min(o.nemesis_interval_ms, left()))) break;
    if (left() <= 0) break;
    Nemesis& nem = *nemeses[rng.below(nemeses.size())];
    rec.nemesis(history::OpType::kInvoke, nem.start_f(), history::Value::keyword(nem.name()));
    auto started = nem.start(ctx, rng);
    if (!started.ok()) {
      log("nemesis " + nem.name() + " failed: " + started.error());
      fault_errors += started.error() + "; ";
      rec.nemesis(history::OpType::kInfo, nem.start_f(), history::Value(started.error()));
      continue;
    }
    ++out.faults;
    rec.nemesis(history::OpType::kInfo, started->f, started->value);
    log(fmt::format("nemesis {} {}: {}", nem.name(), started->f, history::to_json(started->value)));
    if (o.on_fault) o.on_fault(rec.snapshot().back(), *cluster);
    (void)sleep_unless_stopped(o, std::min(o.nemesis_interval_ms, std::max<int64_t>(left(), 0)));
    rec.nemesis(history::OpType::kInvoke, nem.stop_f(), history::Value::keyword(nem.name()));
    auto stopped = nem.stop(ctx);
    if (!stopped.ok()) {
      log("nemesis " + nem.name() + " heal failed: " + stopped.error());
      fault_errors += stopped.error() + "; ";
      rec.nemesis(history::OpType::kInfo, nem.stop_f(), history::Value(stopped.error()));
      continue;
    }
    rec.nemesis(history::OpType::kInfo, stopped->f, stopped->value);
    log(fmt::format("nemesis {} {}: {}", nem.name(), stopped->f, history::to_json(stopped->value)));
  }
  if (nemeses.empty()) (void)sleep_unless_stopped(o, o.time_limit_ms);
  workload_stop = true;
  if (workload_thread.joinable()) workload_thread.join();

  // Final phase: every fault of every kind undone, whatever the schedule left behind.
  log("final phase: heal network, resume, restart, reset clocks");
  rec.nemesis(history::OpType::kInvoke, "heal-all", history::Value(), true);
  std::string heal_errors;
  (void)heal_network(ctx);
  for (const auto& name : nemesis_names()) {
    if (auto s = make_nemesis(name)->heal_all(ctx); !s) heal_errors += s.error() + "; ";
  }
  std::string unready;
  for (Node* n : ctx.nodes) {
    if (auto s = cluster->db()->wait_ready(*n, o.ready_timeout_ms); !s) unready += s.error() + "; ";
  }
  history::Value healed = history::Value::array_map();
  healed.set("network", history::Value::keyword("healed"));
  healed.set("ready", history::Value(unready.empty()));
  rec.nemesis(history::OpType::kInfo, "heal-all", healed, true);
  if (o.workload) (void)o.workload->final_phase(ctx.nodes, [&](workload::Op op) { rec.record(std::move(op)); });

  // As under `squall test`: the workload's result under :workload (its per-key results
  // then go to independent/<key>/), the run's verdict and notes at the top.
  history::Value results = history::Value::array_map();
  history::Value checked;
  if (o.workload) {
    checked = o.workload->check(rec.snapshot());
    const history::Value* v = checked.get("valid?");
    out.verdict = !v ? RunVerdict::kUnknown
                  : v->kind() == history::Value::Kind::kBool
                      ? (v->as_bool() ? RunVerdict::kValid : RunVerdict::kInvalid)
                      : RunVerdict::kUnknown;
    results.set("valid?", v ? *v : history::Value::keyword("unknown"));
    if (const history::Value* c = checked.get("checker")) results.set("checker", *c);
    results.set("workload", checked);
  } else {
    // Without a workload the one thing checked is recovery: after the final phase every
    // member answers its health check again.
    out.verdict = unready.empty() ? RunVerdict::kValid : RunVerdict::kInvalid;
    results.set("valid?", history::Value(unready.empty()));
    results.set("checker", history::Value("recovery: every etcd member healthy after the final phase (no workload)"));
  }
  if (!fault_errors.empty() || !heal_errors.empty() || stopping(o) || (o.workload && !workload_status)) {
    out.verdict = out.verdict == RunVerdict::kInvalid ? out.verdict : RunVerdict::kUnknown;
    if (out.verdict == RunVerdict::kUnknown) results.set("valid?", history::Value::keyword("unknown"));
  }
  results.set("faults", history::Value(static_cast<int64_t>(out.faults)));
  if (!fault_errors.empty()) results.set("fault-errors", history::Value(fault_errors));
  if (!unready.empty()) results.set("not-ready", history::Value(unready));
  if (stopping(o)) results.set("interrupted", history::Value(true));
  results.set("clock-skew-reaches",
              history::Value("processes that read the clock through libc under libfaketime; etcd (Go) is not reached"));
  (void)store->write_results(results);
  const workload::History history = rec.snapshot();
  const std::string workload_name = o.workload ? o.workload->name() : "none";
  if (auto s = write_cluster_visuals(store->dir(), history, rec.now_ns(),
                                     fmt::format("{}, {} nodes: operations", workload_name, ctx.nodes.size()));
      !s) {
    log("drawings: " + s.error());  // a convenience, never a verdict
  }

  if (auto s = cluster->collect(store->dir()); !s) log("collecting logs: " + s.error());
  const auto t_down = Clock::now();
  Status d = cluster->destroy();
  out.teardown_ms = ms_since(t_down);
  if (!d) {
    log("teardown: " + d.error());
    out.verdict = out.verdict == RunVerdict::kInvalid ? out.verdict : RunVerdict::kUnknown;
  }
  log(fmt::format("teardown in {} ms", out.teardown_ms));
  ClusterReportInput report;
  report.workload = workload_name;
  report.nodes = o.cluster.nodes;
  report.transport = cluster->local() ? "local namespaces" : "ssh";
  report.duration_s = static_cast<double>(ms_since(t_run)) / 1000.0;
  report.history = &history;
  report.results = o.workload ? &checked : &results;
  report.nemesis = o.nemesis_text;
  report.faults = out.faults;
  report.concurrency = o.workload ? o.concurrency : 0;
  report.result = out.verdict == RunVerdict::kValid ? "PASS" : out.verdict == RunVerdict::kInvalid ? "FAIL" : "UNKNOWN";
  report.bringup_ms = out.bringup_ms;
  report.teardown_ms = out.teardown_ms;
  report.store_dir = out.store_dir;
  report.reproduce = o.reproduce;
  out.report = render_cluster_report(report);
  (void)store->write_report(out.report);
  out.summary = fmt::format("{} faults on {} nodes; recovery {}; store {}", out.faults, ctx.nodes.size(),
                            unready.empty() ? "ok" : "FAILED: " + unready, out.store_dir);
  store->flush();
  return out;
}

}  // namespace squall::cluster
