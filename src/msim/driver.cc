#include "msim/driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <iterator>

#include "checker/result_map.h"
#include "core/assert.h"
#include "harness/net_results.h"
#include "harness/report.h"
#include "harness/topology.h"
#include "history/edn.h"
#include "workload/stats.h"

namespace squall::msim {
namespace {

using history::OpType;
using history::Value;
using workload::Op;

int64_t seconds(double s) { return static_cast<int64_t>(s * 1e9); }

bool is_set_workload(const std::string& w) { return w == "broadcast" || w == "g-set"; }

// Keeps freed memory in the process. A simulated message can be large (every init of a
// 10,000-node run carries a 110 KB node_ids list, and a parse takes a block of twice
// that): by default glibc maps each such block fresh from the kernel and unmaps it when
// freed, or trims the heap back, so the kernel zeroed pages for every one of them (40%
// of a 10,000-node run's CPU time went to the kernel). Peak memory is unchanged; only
// what was freed stays mapped for reuse. Process-wide, set once.
void keep_freed_memory() {
#ifdef __GLIBC__
  static const bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace

Driver::Driver(MsimConfig config, NodeFactory factory, std::unique_ptr<workload::Workload> workload, RunOptions options)
    : config_(std::move(config)),
      factory_(std::move(factory)),
      workload_(std::move(workload)),
      options_(std::move(options)),
      rng_generator_(Rng(config_.seed).fork("generator")),
      rng_scheduler_(Rng(config_.seed).fork("scheduler")),
      trace_(options_.trace_tail, options_.trace_sink) {
  SQ_ASSERT(workload_ != nullptr);
  SQ_ASSERT_GE(config_.concurrency, 1);
}

Driver::~Driver() = default;

void Driver::record(Op op) {
  op.index = static_cast<int64_t>(history_.size());
  std::string edn = store_ ? store_->append_op(op) : harness::Store::op_edn(op);
  trace_.add(op.time_ns, TraceKind::kOp, -1, -1, 0, edn);
  if (options_.keep_history_text) {
    history_edn_ += edn;
    history_edn_ += '\n';
  }
  history_.push_back(std::move(op));
}

Result<RunResult> Driver::run() {
  keep_freed_memory();
  if (!options_.store_root.empty()) {
    auto store = harness::Store::create(options_.store_root, std::string(workload_->name()));
    if (!store.ok()) return err(store.error());
    store_ = std::move(*store);
    store_->log("squall sim -w: " + replay_command(config_, factory_.replay_args));
    store_->log("faults: " + config_.faults.describe());
  }
  const int n = config_.node_count;
  SimRouterOptions ro;
  for (int i = 0; i < n; ++i) ro.node_names.push_back("n" + std::to_string(i));
  ro.seed = config_.seed;
  ro.net.dist = config_.latency_dist;
  ro.net.latency_ms = config_.latency_ms;
  // The journal feeds only squall test's drawings and its lower-bound rounds; here the
  // rounds are traced exactly, so keep it small.
  ro.net.journal_limit = 0;
  ro.faults = config_.faults;
  if (is_set_workload(config_.workload)) rounds_ = std::make_unique<ExactRounds>(n);
  router_ =
      std::make_unique<SimRouter>(std::move(ro), factory_, static_cast<SimRouterEvents&>(*this), trace_, rounds_.get());
  trace_.set_names([this](int e) { return router_->endpoint_name(e); });
  pool_ = std::make_unique<harness::ClientPool>(*router_, *workload_, static_cast<harness::ClientPoolEvents&>(*this),
                                                config_.concurrency, seconds(config_.rpc_timeout_s));

  // The nemesis schedules, drawn up front from the seed as squall test draws them.
  const FaultMix& f = config_.faults;
  int64_t duration = seconds(config_.time_limit_s);
  if (f.has("partition") || f.has("one-way")) {
    partitions_ = harness::partition_schedule(n, config_.nemesis_interval_s, duration,
                                              Rng(config_.seed).fork("nemesis"), f.has("one-way"), f.has("partition"));
  }
  std::vector<std::vector<harness::ProcessFaultEvent>> proc;
  for (const char* kind : {"kill", "pause"}) {
    if (f.has(kind))
      proc.push_back(harness::process_fault_schedule(kind, n, config_.nemesis_interval_s, duration,
                                                     Rng(config_.seed).fork(std::string("nemesis-") + kind)));
  }
  process_faults_ = harness::merge_schedules(std::move(proc));
  down_.assign(static_cast<size_t>(n), 0);
  paused_.assign(static_cast<size_t>(n), 0);

  // Init: one control client per node, c0 .. c(n-1), as in squall test.
  router_->start_nodes(0);
  init_client_.assign(static_cast<size_t>(n), -1);
  init_ok_.assign(static_cast<size_t>(n), false);
  setup_waiting_.assign(static_cast<size_t>(n), false);
  // Each init is handled as it is sent (clients have no latency), so that at most one
  // node_ids list of n names is in flight: at 10,000 nodes all of them at once would
  // take gigabytes.
  for (int i = 0; i < n; ++i) {
    send_init(i, now_);
    router_->step(now_);
  }
  phase_ = Phase::kInit;
  loop_until(now_ + seconds(config_.init_timeout_s) + 100'000'000, &Driver::init_done);
  for (int i = 0; i < n; ++i) {
    if (!init_ok_[static_cast<size_t>(i)] && router_->nodes_alive()[static_cast<size_t>(i)])
      setup_problems_.push_back(fmt::format("n{} did not answer init within {} s", i, config_.init_timeout_s));
  }

  phase_ = Phase::kSetup;
  workload::SetupContext sctx;
  sctx.nodes = router_->node_names();
  sctx.topology_json = harness::topology_json(sctx.nodes, harness::make_topology(config_.topology, n));
  bool any_setup = false;
  for (int i = 0; i < n; ++i) {
    auto body = workload_->setup_body(sctx, sctx.nodes[static_cast<size_t>(i)]);
    if (!body || !init_ok_[static_cast<size_t>(i)]) continue;
    any_setup = true;
    setup_waiting_[static_cast<size_t>(i)] = true;
    pool_->send(i, *body, seconds(config_.rpc_timeout_s), now_);
    router_->step(now_);  // one topology in flight at a time, like the inits
  }
  if (any_setup) loop_until(now_ + seconds(config_.rpc_timeout_s) + 100'000'000, &Driver::setup_done);

  phase_ = Phase::kMain;
  main_start_ns_ = now_;
  main_end_ns_ = now_ + duration;
  next_op_ns_ = now_;
  pool_->add_workers();
  loop_until(main_end_ns_, &Driver::never);

  phase_ = Phase::kRecovery;
  end_faults(now_);
  if (!workload_->final_op()) {
    loop_until(now_ + seconds(config_.rpc_timeout_s) + 100'000'000, &Driver::workers_idle);
  } else {
    loop_until(now_ + seconds(config_.recovery_time_s), &Driver::never);
    phase_ = Phase::kFinal;
    final_start_ns_ = now_;
    for (int i = 0; i < n; ++i) pool_->invoke_final(i, *workload_->final_op(), now_);
    final_issued_ = true;
    loop_until(now_ + 2 * seconds(config_.rpc_timeout_s) + 500'000'000, &Driver::final_done);
  }
  phase_ = Phase::kDone;
  return finish();
}

void Driver::send_init(int node, int64_t now) {
  if (node_ids_json_.empty()) {
    node_ids_json_ = "[";
    for (int i = 0; i < config_.node_count; ++i)
      fmt::format_to(std::back_inserter(node_ids_json_), "{}\"n{}\"", i ? "," : "", i);
    node_ids_json_ += "]";
  }
  // The first init of node i comes from client i; a restart's from a new control client.
  int c = pool_->add(harness::ClientRole::kControl, node, -1, -1);
  init_client_[static_cast<size_t>(node)] = c;
  pool_->send(c, fmt::format("{{\"type\":\"init\",\"node_id\":\"n{}\",\"node_ids\":{}}}", node, node_ids_json_),
              seconds(config_.init_timeout_s), now);
}

bool Driver::init_done() const {
  for (size_t i = 0; i < init_ok_.size(); ++i)
    if (!init_ok_[i] && router_->nodes_alive()[i]) return false;
  return true;
}

bool Driver::setup_done() const {
  return std::none_of(setup_waiting_.begin(), setup_waiting_.end(), [](bool w) { return w; });
}

void Driver::loop_until(int64_t deadline_ns, bool (Driver::*done)() const) {
  while (true) {
    step(now_);
    if ((this->*done)() || now_ >= deadline_ns) return;
    int64_t wake = std::min(deadline_ns, router_->next_event_ns());
    if (phase_ == Phase::kMain) {
      // An op already due waits for a free client, which only an event can bring.
      if (config_.rate > 0 && next_op_ns_ > now_) wake = std::min(wake, next_op_ns_);
      if (next_partition_ < partitions_.size())
        wake = std::min(wake, main_start_ns_ + partitions_[next_partition_].at_ns);
      if (next_process_fault_ < process_faults_.size())
        wake = std::min(wake, main_start_ns_ + process_faults_[next_process_fault_].at_ns);
    }
    wake = std::min(wake, pool_->next_deadline_ns());
    // Nothing runs between now and `wake`: jump there (never backwards, always forward).
    now_ = std::max(now_ + 1, wake);
  }
}

void Driver::step(int64_t now) {
  router_->step(now);
  if (phase_ == Phase::kMain) {
    apply_nemesis(now);
    if (now < main_end_ns_) generate(now);
  }
  pool_->expire(now);
  // Client requests have zero latency: what the generator just sent is due now.
  router_->step(now);
}

void Driver::generate(int64_t now) {
  if (config_.rate <= 0) return;
  while (now >= next_op_ns_) {
    std::vector<int> free = pool_->free_threads();
    if (free.empty()) return;
    int thread = free[rng_scheduler_.below(free.size())];
    workload::GenContext ctx{thread, config_.node_count, config_.concurrency, pool_->worker(thread).process};
    workload::Invocation inv = workload_->next(ctx, rng_generator_);
    pool_->invoke_on_thread(thread, inv, now);
    next_op_ns_ = now + static_cast<int64_t>(rng_scheduler_.unit() * 2e9 / config_.rate);
  }
}

void Driver::nemesis_pair(const std::string& f, const std::string& value, const std::string& note, int64_t now) {
  // As squall test records it: once as the fault starts (value nil), once with what it did.
  Op op;
  op.type = OpType::kInfo;
  op.f = f;
  op.process = workload::kNemesisProcess;
  op.time_ns = now;
  record(op);
  op.value = value;
  record(op);
  trace_.add(now, TraceKind::kNemesis, -1, -1, 0, note);
  if (store_) store_->log("nemesis: " + note);
}

void Driver::apply_nemesis(int64_t now) {
  const std::vector<std::string>& names = router_->node_names();
  while (next_partition_ < partitions_.size() && main_start_ns_ + partitions_[next_partition_].at_ns <= now) {
    const harness::NemesisEvent& e = partitions_[next_partition_++];
    if (!e.start) {
      if (partitioned_) {
        router_->network().heal();
        partitioned_ = false;
        nemesis_pair("stop-partition", "\"network healed\"", "network healed", now);
      }
      continue;
    }
    std::vector<std::pair<int, int>> blocked;
    for (size_t d = 0; d < e.grudge.size(); ++d)
      for (int s : e.grudge[d]) blocked.emplace_back(s, static_cast<int>(d));
    router_->network().set_partition(blocked);
    partitioned_ = true;
    ++nemesis_counts_[e.shape == "one-way" ? "one-way partitions" : "partitions"];
    nemesis_pair("start-partition", e.value_json(names), e.describe(names), now);
  }
  while (next_process_fault_ < process_faults_.size() &&
         main_start_ns_ + process_faults_[next_process_fault_].at_ns <= now) {
    const harness::ProcessFaultEvent& e = process_faults_[next_process_fault_++];
    auto i = static_cast<size_t>(e.node);
    switch (e.fault) {
      case harness::ProcessFault::kKill:
        if (down_[i] || !router_->up(e.node)) continue;
        router_->kill(e.node, now);
        down_[i] = 1;
        break;
      case harness::ProcessFault::kRestart:
        if (!down_[i]) continue;
        router_->restart(e.node, now);
        down_[i] = 0;
        send_init(e.node, now);
        break;
      case harness::ProcessFault::kPause:
        if (paused_[i] || !router_->up(e.node)) continue;
        router_->pause(e.node, now);
        paused_[i] = 1;
        break;
      case harness::ProcessFault::kResume:
        if (!paused_[i]) continue;
        router_->resume(e.node, now);
        paused_[i] = 0;
        break;
    }
    const char* what = harness::process_fault_name(e.fault);
    ++nemesis_counts_[std::string(what) + "s"];
    nemesis_pair(harness::process_fault_op(e.fault), fmt::format("{{\"node\":\"{}\",\"{}\":true}}", names[i], what),
                 fmt::format("{} {}", what, names[i]), now);
  }
}

void Driver::end_faults(int64_t now) {
  // Every fault ends with the main phase, so recovery and the final reads see every node.
  const std::vector<std::string>& names = router_->node_names();
  if (partitioned_) {
    router_->network().heal();
    partitioned_ = false;
    nemesis_pair("stop-partition", "\"network healed\"", "network healed", now);
  }
  for (size_t i = 0; i < down_.size(); ++i) {
    if (paused_[i]) {
      router_->resume(static_cast<int>(i), now);
      paused_[i] = 0;
      ++nemesis_counts_["resumes"];
      nemesis_pair("resume", fmt::format("{{\"node\":\"{}\",\"resume\":true}}", names[i]), "resume " + names[i], now);
    }
    if (down_[i]) {
      router_->restart(static_cast<int>(i), now);
      down_[i] = 0;
      send_init(static_cast<int>(i), now);
      ++nemesis_counts_["restarts"];
      nemesis_pair("start", fmt::format("{{\"node\":\"{}\",\"restart\":true}}", names[i]), "restart " + names[i], now);
    }
  }
}

void Driver::on_control_reply(int client, const proto::Message& reply, std::string_view line, int64_t now) {
  (void)line;
  (void)now;
  int node = pool_->client(client).node;
  auto i = static_cast<size_t>(node);
  std::string type(reply.type());
  if (setup_waiting_[i] && client == node) {
    setup_waiting_[i] = false;
    if (type != workload_->setup_reply_type())
      setup_problems_.push_back(fmt::format("n{} answered the workload setup with \"{}\" instead of {}", node, type,
                                            workload_->setup_reply_type()));
    return;
  }
  if (type == "init_ok") {
    init_ok_[i] = true;
    return;
  }
  setup_problems_.push_back(fmt::format("n{} answered init with \"{}\" instead of init_ok", node, type));
}

void Driver::on_control_timeout(int client, int64_t now) {
  (void)now;
  auto i = static_cast<size_t>(pool_->client(client).node);
  if (setup_waiting_[i] && client == static_cast<int>(i)) {
    setup_waiting_[i] = false;
    setup_problems_.push_back(
        fmt::format("n{} did not answer the workload setup within {} s", i, config_.rpc_timeout_s));
  } else if (phase_ != Phase::kInit && init_client_[i] == client && !down_[i]) {
    setup_problems_.push_back(
        fmt::format("n{} did not answer its init after a restart within {} s", i, config_.init_timeout_s));
  }
}

void Driver::on_node_stopped(int node, const SimCrash& crash) {
  (void)node;
  if (store_) store_->log(fmt::format("{} exited during the run ({})", crash.node, crash.status));
}

RunResult Driver::finish() {
  workload::CheckContext ctx;
  ctx.nodes = router_->node_names();
  ctx.final_phase_start_ns = final_start_ns_;
  Value w = workload_->check(history_, ctx);
  Value stats = workload::check_stats(history_);
  Value avail = workload::check_availability(history_, config_.availability);

  const int64_t ops = pool_->invoke_count();
  const net::NetStats& ns = router_->network().journal().stats();
  const double per_op = ops > 0 ? static_cast<double>(ns.servers.msg_count) / static_cast<double>(ops) : 0.0;
  Value net = harness::net_results_map(ns, ops);
  net.set("lost", router_->lost());
  net.set("duplicated", router_->duplicated());
  net.set("reordered", router_->delayed());
  net.set("messages-to-down-nodes", router_->to_dead_nodes());
  net.set("valid?", true);

  Value nodes = Value::array_map();
  int64_t violations = 0;
  Value kinds = Value::array_map();
  for (const auto& [k, v] : router_->error_counts()) {
    kinds.set(Value::keyword(k), v);
    violations += v;
  }
  bool bad = (config_.strict && violations > 0) || !router_->crashes().empty() || !setup_problems_.empty();
  nodes.set("valid?", !bad);
  nodes.set("strict?", config_.strict);
  nodes.set("protocol-error-count", violations);
  nodes.set("by-kind", std::move(kinds));
  nodes.set("crash-count", static_cast<int64_t>(router_->crashes().size()));
  Value setup = Value::vector();
  for (const auto& p : setup_problems_) setup.push(p);
  nodes.set("setup-problems", std::move(setup));
  nodes.set("late-replies", pool_->late_replies());

  Verdict v = Verdict::kValid;
  for (const Value* part : {&w, &stats, &avail, &net, &nodes}) v = merge(v, checker::verdict_of(*part));
  Value results = Value::array_map();
  results.set("workload", w);
  results.set("stats", stats);
  results.set("availability", avail);
  results.set("net", net);
  results.set("node-errors", nodes);
  Value sim = Value::array_map();
  sim.set("faults", config_.faults.describe());
  sim.set("simulated-ms", now_ / 1'000'000);
  sim.set("messages-delivered", router_->delivered());
  sim.set("timer-firings", router_->timer_firings());
  sim.set("trace-events", static_cast<int64_t>(trace_.count()));
  sim.set("trace-digest", fmt::format("{:016x}", trace_.digest()));
  results.set("sim", std::move(sim));
  results.set("seed", static_cast<int64_t>(config_.seed));
  results.set("valid?", checker::verdict_value(v));

  std::vector<std::string> anomalies = setup_problems_;
  for (const SimCrash& c : router_->crashes())
    anomalies.push_back(
        fmt::format("node {} crashed at {:.1f} s ({})", c.node, static_cast<double>(c.t_ns) / 1e9, c.status));
  std::vector<std::string> warnings;
  for (const auto& [kind, count] : router_->error_counts()) {
    std::string a = fmt::format("{} protocol violation(s) of kind {}", count, kind);
    for (const harness::ProtocolError& e : router_->error_examples()) {
      if (harness::protocol_error_name(e.kind) != kind) continue;
      a += fmt::format(", e.g. from {} at {:.1f} s: {}", e.node, static_cast<double>(e.t_ns) / 1e9, e.detail);
      if (!e.line.empty()) a += "\n      line: " + e.line;
      break;
    }
    warnings.push_back(std::move(a));
  }
  if (config_.strict && violations > 0)
    anomalies.push_back(
        fmt::format("{} protocol violation(s) fail the run under --strict (listed under Warnings)", violations));
  harness::workload_anomalies(w, &anomalies);
  if (checker::verdict_of(stats) == Verdict::kInvalid) {
    for (const auto& [fname, m] : stats.get("by-f")->entries()) {
      if (m.get("ok-count")->as_int() == 0)
        anomalies.push_back(fmt::format("no {} operation succeeded ({} fail, {} info)", fname.as_string(),
                                        m.get("fail-count")->as_int(), m.get("info-count")->as_int()));
    }
  }
  if (std::string a = workload::availability_problem(avail); !a.empty()) anomalies.push_back(a);

  harness::ReportInput in;
  in.workload = workload_->name();
  in.nodes = config_.node_count;
  in.duration_s = static_cast<double>(now_) / 1e9;
  in.ops = ops;
  in.ok = pool_->ok_count();
  in.fail = pool_->fail_count();
  in.info = pool_->info_count();
  std::string counts_text;
  for (const auto& [k, c] : nemesis_counts_)
    counts_text += fmt::format("{}{} {}", counts_text.empty() ? "" : ", ", c, k);
  in.nemesis = config_.faults.describe() + (counts_text.empty() ? "" : " (" + counts_text + ")");
  in.verdict = v;
  bool set_workload = w.get("stable-latencies") != nullptr;
  in.set_result = set_workload ? results.get("workload") : nullptr;
  in.op_latency = workload::op_latencies(history_);
  if (set_workload && rounds_) in.rounds = rounds_->summary();
  in.msgs_per_op = per_op;
  in.anomalies = std::move(anomalies);
  in.warnings = std::move(warnings);
  in.strict = config_.strict;
  in.store_dir = store_ ? store_->dir() : "(not written: rerun with the command below)";
  in.reproduce = replay_command(config_, factory_.replay_args);

  RunResult r;
  r.report = harness::render_report(in);
  r.verdict = v;
  r.replay = in.reproduce;
  if (store_) {
    if (auto st = store_->write_results(results); !st.ok()) store_->log(st.error());
    if (auto st = store_->write_report(r.report); !st.ok()) store_->log(st.error());
    store_->log(fmt::format("verdict: {}", to_string(v)));
    store_->flush();
    r.store_dir = store_->dir();
  }
  r.results = std::move(results);
  r.history_edn = std::move(history_edn_);
  r.trace_digest = trace_.digest();
  r.trace_events = trace_.count();
  r.trace_tail = trace_.tail_lines();
  r.ops = ops;
  r.sim_ns = now_;
  r.delivered = router_->delivered();
  r.faults = config_.faults.describe();
  return r;
}

}  // namespace squall::msim
