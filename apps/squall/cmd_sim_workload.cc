// squall sim -w WORKLOAD: Maelstrom workloads on maelstrom_gossip's node cores, in one
// process on virtual time, with seeded faults (see src/msim/).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "harness/config.h"
#include "msim/gossip_nodes.h"
#include "msim/sweep.h"
#include "parse_command_line.h"
#include "workload/workload.h"
#include "workload_flags.h"

namespace squall::cli {

namespace {
constexpr int kSweepNodesMax = 100;
}  // namespace

int cmd_sim_workload(int argc, char** argv) {
  msim::SweepOptions opt;
  msim::MsimConfig& cfg = opt.cfg;
  std::string latency_dist = "constant", nemesis, availability, trace_out, consistency_models;
  std::string p_loss = "0", p_dup = "0", p_reorder = "0", skew = "0";
  std::vector<std::string> faults;
  uint64_t seeds = 0, seed = 1;
  double rpc_timeout = 5;
  std::string workloads;
  for (const auto& n : workload::workload_names()) workloads += (workloads.empty() ? "" : ", ") + n;
  CLI::App app{
      "Runs a Maelstrom workload against maelstrom_gossip's node cores inside this process, on\n"
      "simulated time, with the generators, services, checkers and report of squall test, plus\n"
      "seeded faults Maelstrom lacks. The same seed replays byte for byte. Runs seeds S..S+N-1;\n"
      "a failure prints its report, the one-line replay command and the end of its trace.\n"
      "Exit code: 0 valid, 1 invalid, 2 unknown, 254 bad usage.",
      "squall sim -w"};
  app.option_defaults()->always_capture_default();
  app.add_option("-w,--workload", cfg.workload, "Workload: " + workloads)->required();
  app.add_option("--node-count", cfg.node_count, "Number of nodes n0 .. n(N-1)");
  app.add_option("--concurrency", cfg.concurrency_spec, "Client threads: an integer or Kn (default: the workload's)");
  app.add_option("--time-limit", cfg.time_limit_s, "Simulated seconds of main phase");
  app.add_option("--rate", cfg.rate, "Operations per simulated second, across all clients");
  app.add_option("--latency", cfg.latency_ms, "Mean node-to-node latency in ms");
  app.add_option("--latency-dist", latency_dist, "constant, uniform or exponential");
  app.add_option("--nemesis", nemesis, "Scheduled faults, comma-separated: partition, one-way, kill, pause");
  app.add_option("--nemesis-interval", cfg.nemesis_interval_s, "Mean seconds between nemesis actions");
  app.add_option("--topology", cfg.topology, "Broadcast topology: grid, line, tree2, tree3, tree4, total");
  app.add_option("--recovery-time", cfg.recovery_time_s, "Simulated seconds after healing before final reads");
  auto* rpc = app.add_option("--rpc-timeout", rpc_timeout, "Client request timeout in s (default: the workload's)");
  app.add_option("--availability", availability, "Require this fraction of ops to succeed ('total' = all)");
  app.add_flag("--strict", cfg.strict, "Protocol violations fail the run");
  workload::WorkloadOptions& wo = cfg.workload_options;
  add_txn_workload_options(app, &wo, &consistency_models);
  app.add_option("--p-loss", p_loss, "Probability that a node-to-node or node-to-service message is lost");
  app.add_option("--p-dup", p_dup, "Probability that such a message is delivered twice");
  app.add_option("--p-reorder", p_reorder, "Probability that such a message is held back (others overtake it)");
  app.add_option("--reorder-max", cfg.faults.reorder_max_ms, "Longest hold-back of a reordered message, ms");
  app.add_option("--skew", skew, "Timer clock skew: each node's timers run at a rate in [1-skew, 1+skew]");
  app.add_flag("--swarm", cfg.swarm, "Each seed draws its own fault mix (loss, dup, reorder, skew, nemesis)");
  app.add_option("--fault", faults, "maelstrom_gossip negative control, as its --fault (repeatable)");
  app.add_option("--seed", seed, "First seed");
  app.add_option("--seeds", seeds, "Number of seeds (default 1 with --seed or above 100 nodes, else 100)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
  app.add_option("--store", opt.store_root, "Store directory for the reported run (squall test's layout)");
  app.add_option("--trace-out", trace_out, "Write the reported run's full trace to this file");
  app.add_option("--trace-lines", opt.trace_tail, "Trace lines shown for a failure")
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  if (auto stop = parse_command_line(app, argc, argv, "sim")) return *stop;

  auto usage = [](const std::string& msg) {
    std::fprintf(stderr, "squall sim: %s\n", msg.c_str());
    return kExitUsage;
  };
  auto dist = net::parse_latency_dist(latency_dist);
  if (!dist.ok()) return usage("--latency-dist: " + dist.error());
  cfg.latency_dist = *dist;
  cfg.faults.nemesis = harness::split_list(nemesis);
  for (auto [text, flag, out] :
       {std::tuple{&p_loss, "--p-loss", &cfg.faults.loss_ppm}, std::tuple{&p_dup, "--p-dup", &cfg.faults.dup_ppm},
        std::tuple{&p_reorder, "--p-reorder", &cfg.faults.reorder_ppm},
        std::tuple{&skew, "--skew", &cfg.faults.skew_ppm}}) {
    auto p = msim::parse_probability(*text, flag);
    if (!p.ok()) return usage(p.error());
    *out = *p;
  }
  if (cfg.faults.reorder_ppm > 0 && app.count("--reorder-max") == 0) cfg.faults.reorder_max_ms = 200;
  if (!availability.empty()) {
    auto a = harness::parse_availability(availability);
    if (!a.ok()) return usage(a.error());
    cfg.availability = *a;
  }
  if (rpc->count() > 0) cfg.rpc_timeout_option = rpc_timeout;
  wo.consistency_models = harness::split_list(consistency_models);
  auto w = workload::make_workload(cfg.workload, wo);
  if (!w.ok()) return usage(w.error());
  if (auto s = msim::resolve(&cfg, **w); !s.ok()) return usage(s.error());
  auto factory = msim::gossip_node_factory(faults);
  if (!factory.ok()) return usage(factory.error());

  const bool seed_given = app.count("--seed") > 0;
  opt.first_seed = seed;
  // Without --seed or --seeds: a sweep of 100 seeds, unless one run is already big (it
  // takes seconds to minutes at thousands of nodes), then seed 1 alone.
  opt.seeds = seeds != 0 ? seeds : (seed_given || cfg.node_count > kSweepNodesMax ? 1 : 100);
  if (opt.first_seed > UINT64_MAX - opt.seeds) return usage("--seed + --seeds overflows 64 bits");
  std::FILE* sink = nullptr;
  if (!trace_out.empty()) {
    sink = std::fopen(trace_out.c_str(), "w");
    if (sink == nullptr) return usage("cannot write trace file '" + trace_out + "'");
    opt.trace_sink = sink;
  }
  auto res = msim::run_sweep(opt, *factory);
  if (sink != nullptr) std::fclose(sink);
  if (!res.ok()) {
    std::fprintf(stderr, "squall sim: %s\n", res.error().c_str());
    return kExitUsage;
  }
  std::fputs(msim::render_sweep(opt, *res).c_str(), stdout);
  switch (res->worst) {
    case Verdict::kValid: return kExitValid;
    case Verdict::kInvalid: return kExitInvalid;
    case Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace squall::cli
