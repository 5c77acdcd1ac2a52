// The end of a run: stop the nodes, check, write results and the report (part of Runner).
#include <fmt/format.h>
#include <sys/resource.h>

#include "checker/result_map.h"
#include "harness/convergence.h"
#include "harness/elle_graphs.h"
#include "harness/net_results.h"
#include "harness/report.h"
#include "harness/runner.h"
#include "history/edn.h"
#include "workload/stats.h"

namespace squall::harness {
namespace {

using history::Value;

std::string reproduce_command(const TestConfig& c) {
  std::string nodes = c.node_ids.empty() ? fmt::format("--node-count {}", c.node_count)
                                         : fmt::format("--nodes {}", fmt::join(c.node_ids, ","));
  std::string cmd = fmt::format("squall test -w {} --bin {} {} --concurrency {} --time-limit {} --rate {}", c.workload,
                                c.bin, nodes, c.concurrency_spec, c.time_limit_s, c.rate);
  cmd += fmt::format(" --latency {} --latency-dist {}", c.latency_ms, net::latency_dist_name(c.latency_dist));
  if (!c.nemesis.empty())
    cmd += fmt::format(" --nemesis {} --nemesis-interval {}", fmt::join(c.nemesis, ","), c.nemesis_interval_s);
  cmd += fmt::format(" --topology {} --recovery-time {} --seed {}", c.topology, c.recovery_time_s, c.seed);
  if (c.rpc_timeout_option) cmd += fmt::format(" --rpc-timeout {}", *c.rpc_timeout_option);
  cmd += availability_flag(c.availability);
  cmd += workload::options_flags(c.workload_options);
  if (c.strict) cmd += " --strict";
  if (!c.bin_args.empty()) cmd += fmt::format(" -- {}", fmt::join(c.bin_args, " "));
  return cmd;
}

}  // namespace

Value Runner::net_results() const {
  Value m = net_results_map(router_->network().journal().stats(), pool_->invoke_count());
  m.set("valid?", true);
  return m;
}

Value Runner::node_error_results() const {
  Value m = Value::array_map();
  int64_t total = 0;
  Value kinds = Value::array_map();
  for (const auto& [k, v] : router_->error_counts()) {
    kinds.set(Value::keyword(k), v);
    total += v;
  }
  Value ex = Value::vector();
  const std::vector<ProtocolError>& examples = router_->error_examples();
  for (size_t i = 0; i < examples.size() && i < 10; ++i) {
    const ProtocolError& e = examples[i];
    Value d = Value::array_map();
    d.set("node", e.node);
    d.set("kind", Value::keyword(std::string(protocol_error_name(e.kind))));
    d.set("detail", e.detail);
    d.set("line", e.line);
    d.set("time-ms", e.t_ns / 1'000'000);
    ex.push(std::move(d));
  }
  Value crashes = Value::vector();
  for (const NodeCrash& c : router_->crashes()) {
    Value d = Value::array_map();
    d.set("node", c.node);
    d.set("status", c.status);
    d.set("time-ms", c.t_ns / 1'000'000);
    Value tail = Value::vector();
    for (const auto& l : c.stderr_tail) tail.push(l);
    d.set("stderr-tail", std::move(tail));
    crashes.push(std::move(d));
  }
  Value setup = Value::vector();
  for (const auto& p : setup_problems_) setup.push(p);
  // Protocol violations are warnings, as in Maelstrom, unless --strict asked otherwise.
  bool bad = (config_.strict && total > 0) || !router_->crashes().empty() || !setup_problems_.empty();
  m.set("valid?", !bad);
  m.set("strict?", config_.strict);
  m.set("protocol-error-count", total);
  m.set("by-kind", std::move(kinds));
  m.set("examples", std::move(ex));
  m.set("crash-count", static_cast<int64_t>(router_->crashes().size()));
  m.set("crashes", std::move(crashes));
  m.set("setup-problems", std::move(setup));
  m.set("lines-read", router_->lines_from_nodes());
  m.set("late-replies", pool_->late_replies());
  m.set("messages-to-dead-nodes", router_->to_dead_nodes());
  m.set("messages-to-killed-nodes", router_->to_down_nodes());
  // Not a verdict: a node that leaves a daemon behind is untidy, not wrong.
  Value left = Value::vector();
  for (const LeftoverProcess& l : router_->leftovers()) {
    Value d = Value::array_map();
    d.set("pid", static_cast<int64_t>(l.pid));
    d.set("command", l.command);
    left.push(std::move(d));
  }
  m.set("leftover-processes", std::move(left));
  return m;
}

RunSummary Runner::finish() {
  int64_t end_ns = now_ns();
  if (config_.status_line) status_line(end_ns, true);
  // Read what the nodes still had to say, then stop them. Whatever ended the run, every
  // exit is reported now (check_exits grants no more grace once the run is done).
  phase_ = Phase::kDone;
  router_->note_exited_nodes(end_ns);
  router_->check_exits(true);
  stop_nodes();
  // Ops still open at the end stay open: Jepsen treats them as indeterminate.
  workload::CheckContext ctx;
  ctx.nodes = router_->node_names();
  ctx.final_phase_start_ns = final_start_ns_;

  Value results = Value::array_map();
  Value w = workload_->check(history_, ctx);
  // The txn workloads draw their cycle anomalies (elle/ in the run's directory).
  if (workload_->name().starts_with("txn-") && checker::verdict_of(w) == Verdict::kInvalid) {
    if (auto st = add_elle_graphs(store_->dir(), &w); !st.ok()) note(st.error());
  }
  Value stats = workload::check_stats(history_);
  Value avail = workload::check_availability(history_, config_.availability);
  Value net = net_results();
  Value nodes = node_error_results();
  Verdict v = Verdict::kValid;
  for (const Value* part : {&w, &stats, &avail, &net, &nodes}) v = merge(v, checker::verdict_of(*part));
  // A run cut short never reached its final reads, so "lost" and "never read" mean
  // nothing yet: the verdict is unknown, whatever the partial checks say.
  if (interrupted_) v = Verdict::kUnknown;
  results.set("workload", w);
  results.set("stats", stats);
  results.set("availability", avail);
  results.set("net", net);
  results.set("node-errors", nodes);
  if (interrupted_) results.set("interrupted", true);
  // The harness's own cost (nodes excluded), for benchmarks and capacity planning.
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  Value self = Value::array_map();
  self.set("cpu-user-ms", static_cast<int64_t>(ru.ru_utime.tv_sec) * 1000 + ru.ru_utime.tv_usec / 1000);
  self.set("cpu-sys-ms", static_cast<int64_t>(ru.ru_stime.tv_sec) * 1000 + ru.ru_stime.tv_usec / 1000);
  self.set("wall-ms", end_ns / 1'000'000);
  self.set("main-phase-ms", main_end_ns_ > main_start_ns_ ? (main_end_ns_ - main_start_ns_) / 1'000'000 : 0);
  results.set("harness", std::move(self));
  results.set("seed", static_cast<int64_t>(config_.seed));
  results.set("valid?", checker::verdict_value(v));

  std::vector<std::string> anomalies;
  for (const auto& p : setup_problems_) anomalies.push_back(p);
  for (const NodeCrash& c : router_->crashes()) {
    std::string a =
        fmt::format("node {} crashed at {:.1f} s ({})", c.node, static_cast<double>(c.t_ns) / 1e9, c.status);
    for (const auto& l : c.stderr_tail) a += "\n      stderr: " + l;
    anomalies.push_back(a);
  }
  std::vector<std::string> warnings;
  int64_t violations = 0;
  for (const auto& [kind, count] : router_->error_counts()) {
    violations += count;
    std::string a = fmt::format("{} protocol violation(s) of kind {}", count, kind);
    for (const ProtocolError& e : router_->error_examples()) {
      if (protocol_error_name(e.kind) != kind) continue;
      a += fmt::format(", e.g. from {} at {:.1f} s: {}", e.node, static_cast<double>(e.t_ns) / 1e9, e.detail);
      if (!e.line.empty()) a += "\n      line: " + e.line;
      break;
    }
    warnings.push_back(std::move(a));
  }
  if (config_.strict && violations > 0) {
    anomalies.push_back(
        fmt::format("{} protocol violation(s) fail the run under --strict (listed under Warnings)", violations));
  }
  workload_anomalies(w, &anomalies);
  if (checker::verdict_of(stats) == Verdict::kInvalid) {
    for (const auto& [f, m] : stats.get("by-f")->entries()) {
      if (m.get("ok-count")->as_int() == 0) {
        anomalies.push_back(fmt::format("no {} operation succeeded ({} fail, {} info)", f.as_string(),
                                        m.get("fail-count")->as_int(), m.get("info-count")->as_int()));
      }
    }
  }
  if (std::string a = workload::availability_problem(avail); !a.empty()) anomalies.push_back(a);
  // Every unknown verdict says why.
  if (interrupted_) anomalies.push_back("unknown: the run was interrupted before its final reads");
  const std::pair<const char*, const Value*> parts[] = {
      {"workload", &w}, {"stats", &stats}, {"availability", &avail}, {"net", &net}, {"node-errors", &nodes}};
  for (const auto& [part, result] : parts) {
    if (checker::verdict_of(*result) == Verdict::kUnknown) {
      anomalies.push_back(fmt::format("{} check unknown: {}", part, checker::unknown_reason(*result)));
    }
  }

  ReportInput in;
  in.workload = workload_->name();
  in.nodes = config_.node_count;
  in.duration_s = static_cast<double>(end_ns) / 1e9;
  in.ops = pool_->invoke_count();
  in.ok = pool_->ok_count();
  in.fail = pool_->fail_count();
  in.info = pool_->info_count();
  if (config_.nemesis.empty()) {
    in.nemesis = "none";
  } else {
    std::string counts = fmt::format("{} partitions", partitions_started_);
    for (const auto& [k, c] : nemesis_counts_) counts += fmt::format(", {} {}", c, k);
    in.nemesis = fmt::format("{} ({})", fmt::join(config_.nemesis, ","), counts);
  }
  in.nemesis_events = nemesis_events_;
  in.verdict = v;
  bool set_workload = w.get("stable-latencies") != nullptr;
  in.set_result = set_workload ? results.get("workload") : nullptr;
  in.op_latency = workload::op_latencies(history_);
  if (set_workload) {
    std::string add_f = workload_->name() == "broadcast" ? "broadcast" : "add";
    in.rounds =
        measure_rounds(history_, add_f, router_->node_names(), router_->nodes_alive(), router_->network().journal());
  }
  const Value* servers = net.get("servers");
  in.msgs_per_op = servers ? servers->get("msgs-per-op")->as_double() : 0;
  in.anomalies = std::move(anomalies);
  in.warnings = std::move(warnings);
  in.strict = config_.strict;
  in.store_dir = store_->dir();
  in.reproduce = reproduce_command(config_);
  in.interrupted = interrupted_;

  RunSummary s;
  s.report = render_report(in);
  const std::vector<LeftoverProcess>& leftovers = router_->leftovers();
  if (!leftovers.empty()) {
    s.report +=
        fmt::format("Leftover processes: {} still running after their nodes were stopped, killed:\n", leftovers.size());
    for (size_t i = 0; i < leftovers.size() && i < 5; ++i)
      s.report += fmt::format("  - pid {}: {}\n", leftovers[i].pid, leftovers[i].command);
  }
  if (auto st = store_->write_results(results); !st.ok()) note(st.error());
  if (auto st = store_->write_report(s.report); !st.ok()) note(st.error());
  write_visuals(end_ns);
  store_->log(fmt::format("verdict: {}", to_string(v)));
  store_->flush();
  s.results = std::move(results);
  s.verdict = v;
  s.store_dir = store_->dir();
  s.duration_ns = end_ns;
  s.op_count = pool_->invoke_count();
  s.interrupted = interrupted_;
  return s;
}

}  // namespace squall::harness
