#include "msim/config.h"

#include <fmt/format.h>

#include <cmath>

#include "harness/config.h"
#include "harness/topology.h"

namespace squall::msim {

Status resolve(MsimConfig* c, const workload::Workload& w) {
  if (c->node_count < 1 || c->node_count > kMaxSimNodes)
    return err(fmt::format("--node-count must be between 1 and {}", kMaxSimNodes));
  if (c->concurrency_spec.empty()) c->concurrency_spec = w.default_concurrency();
  auto conc = harness::parse_concurrency(c->concurrency_spec, c->node_count);
  if (!conc.ok()) return err(conc.error());
  c->concurrency = *conc;
  if (Status s = harness::validate_run_ranges(c->time_limit_s, c->rate, c->latency_ms, c->nemesis_interval_s,
                                              c->recovery_time_s);
      !s.ok())
    return s;
  auto finite_in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  c->rpc_timeout_s = c->rpc_timeout_option ? *c->rpc_timeout_option : w.default_rpc_timeout_s(c->latency_ms);
  if (!finite_in(c->rpc_timeout_s, 0.001, 3600)) return err("--rpc-timeout must be between 0.001 and 3600 s");
  if (c->faults.reorder_ppm > 0 && (c->faults.reorder_max_ms < 1 || c->faults.reorder_max_ms > 600'000))
    return err("--reorder-max must be between 1 and 600000 ms");
  if (auto s = validate_nemesis(c->faults.nemesis); !s.ok()) return s;
  if (!harness::is_topology_name(c->topology)) {
    return err("unknown topology '" + c->topology +
               "' (expected grid, line, tree (= tree2), tree2, tree3, tree4 or total)");
  }
  c->topology = std::string(harness::canonical_topology(c->topology));
  return w.validate(c->node_count, c->concurrency);
}

std::string replay_command(const MsimConfig& c, const std::string& node_args) {
  std::string cmd = fmt::format(
      "squall sim -w {} --node-count {} --concurrency {} --time-limit {} --rate {} --latency {} --latency-dist {}",
      c.workload, c.node_count, c.concurrency_spec, c.time_limit_s, c.rate, c.latency_ms,
      net::latency_dist_name(c.latency_dist));
  cmd += fmt::format(" --topology {} --nemesis-interval {} --recovery-time {}", c.topology, c.nemesis_interval_s,
                     c.recovery_time_s);
  if (c.rpc_timeout_option) cmd += fmt::format(" --rpc-timeout {}", *c.rpc_timeout_option);
  cmd += harness::availability_flag(c.availability);
  cmd += workload::options_flags(c.workload_options);
  if (c.strict) cmd += " --strict";
  cmd += c.faults.flags();
  cmd += node_args;
  cmd += fmt::format(" --seed {}", c.seed);
  return cmd;
}

}  // namespace squall::msim
