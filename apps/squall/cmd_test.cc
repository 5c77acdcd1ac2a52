// squall test: the Maelstrom-compatible workbench. Parses Maelstrom's `test` flags (plus
// --seed, --recovery-time and --store), runs the test (--test-count times) and prints
// the MAELSTROM REPORT of each run.
#include <sys/random.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "commands.h"
#include "core/assert.h"
#include "harness/config.h"
#include "harness/runner.h"
#include "parse_command_line.h"
#include "workload/workload.h"
#include "workload_flags.h"

namespace squall::cli {
namespace {

uint64_t fresh_seed() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
    seed = static_cast<uint64_t>(std::time(nullptr)) ^ (static_cast<uint64_t>(::getpid()) << 32);
  }
  return seed & ((uint64_t{1} << 53) - 1);  // stays exact when read back from JSON
}

// One run of the test; its exit code. `interrupted` is set when the user stopped it.
int run_once(const harness::TestConfig& cfg, bool* interrupted) {
  auto w = workload::make_workload(cfg.workload, cfg.workload_options);
  SQ_ASSERT(w.ok());  // checked before the first run
  harness::Runner runner(cfg, std::move(*w));
  auto summary = runner.run();
  if (!summary.ok()) {
    std::fprintf(stderr, "squall test: %s\n", summary.error().c_str());
    return kExitUsage;
  }
  std::fflush(stderr);
  std::printf("\n%s", summary->report.c_str());
  std::fflush(stdout);
  *interrupted = summary->interrupted;
  switch (summary->verdict) {
    case Verdict::kValid: return kExitValid;
    case Verdict::kInvalid: return kExitInvalid;
    case Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

// The worse of two run outcomes, as Jepsen merges verdicts: invalid over unknown over
// valid; a run that could not start at all is worst.
int worse_exit(int a, int b) {
  auto rank = [](int code) { return code == kExitValid ? 0 : code == kExitUnknown ? 1 : code == kExitInvalid ? 2 : 3; };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

int cmd_test(int argc, char** argv) {
  harness::TestConfig cfg;
  std::string latency_dist = "constant";
  std::string nemesis;
  std::string availability;
  std::string seed_text;
  std::string nodes;
  std::string consistency_models;
  double rpc_timeout = 5;

  std::string workloads;
  for (const auto& n : workload::workload_names()) workloads += (workloads.empty() ? "" : ", ") + n;
  CLI::App app{
      "Runs a Maelstrom node binary on a simulated network, drives a workload, injects faults,\n"
      "checks the history and prints the MAELSTROM REPORT. Exit code: 0 valid, 1 invalid,\n"
      "2 unknown, 254 bad usage.",
      "squall test"};
  app.option_defaults()->always_capture_default();
  app.add_option("-w,--workload", cfg.workload, "Workload to run: " + workloads);
  app.add_option("--bin", cfg.bin, "Node binary to test (executed directly, no shell)")->required();
  auto* node_count = app.add_option("--node-count", cfg.node_count, "Number of nodes n0 .. n(N-1)");
  app.add_option("--nodes", nodes, "Explicit node ids, comma-separated (e.g. a,b,c), instead of --node-count");
  app.add_option("--concurrency", cfg.concurrency_spec,
                 "Client threads: an integer, or Kn for K times the node count (default 2n for lin-kv, else 1n)");
  app.add_option("--time-limit", cfg.time_limit_s, "Seconds of main phase (operations and faults)");
  app.add_option("--rate", cfg.rate, "Operations per second, across all clients (0: none, only final reads)");
  app.add_option("--latency", cfg.latency_ms,
                 "Mean node-to-node (and node-to-service) latency in ms; clients get none");
  app.add_option("--latency-dist", latency_dist, "Latency distribution: constant, uniform (0..2x mean) or exponential");
  app.add_option("--nemesis", nemesis,
                 "Faults to inject, comma-separated: partition, one-way (half the nodes cannot hear the other half), "
                 "kill (SIGKILL, then restart and init again), pause (SIGSTOP/SIGCONT); empty for none");
  app.add_option("--nemesis-interval", cfg.nemesis_interval_s,
                 "Mean seconds between nemesis actions (gaps uniform in [0, 2x interval])");
  app.add_option("--topology", cfg.topology,
                 "Broadcast topology: grid, line, tree (= tree2), tree2, tree3, tree4, total");
  app.add_option("--availability", availability,
                 "Require this fraction of operations to succeed ('total' = all); unchecked if absent");
  app.add_flag("--log-stderr", cfg.log_stderr, "Also show node stderr on the console (always in node-logs/)");
  app.add_flag("--strict", cfg.strict,
               "Protocol violations (bad JSON, bad envelopes, malformed replies) fail the run; by default they are "
               "warnings and the op they touch is recorded as :info");
  app.add_flag("--log-net-send", cfg.log_net_send,
               "Log every network send (node, client and service messages) to jepsen.log");
  app.add_flag("--log-net-recv", cfg.log_net_recv, "Log every network delivery to jepsen.log");
  app.add_option("--test-count", cfg.test_count, "Run the test this many times; the exit code is the worst run's");
  app.add_option("--seed", seed_text,
                 "Seed for all harness randomness: generator, latencies, nemesis (printed at start; run k of "
                 "--test-count uses seed + k)");
  app.add_option("--recovery-time", cfg.recovery_time_s, "Seconds to wait after healing before the final reads");
  auto* rpc = app.add_option("--rpc-timeout", rpc_timeout,
                             "Client request timeout in seconds (default 5; lin-kv: max(10 x --latency, 1 s))");
  app.add_option("--store", cfg.store_dir, "Directory of the store (runs go to <store>/<workload>/<time>/)");
  add_txn_workload_options(app, &cfg.workload_options, &consistency_models);
  app.add_option("args", cfg.bin_args, "Arguments passed to the node binary (put them after --)");

  if (auto stop = parse_command_line(app, argc, argv, "test")) return *stop;

  auto usage = [](const std::string& msg) {
    std::fprintf(stderr, "squall test: %s\n", msg.c_str());
    return kExitUsage;
  };
  auto dist = net::parse_latency_dist(latency_dist);
  if (!dist.ok()) return usage("--latency-dist: " + dist.error());
  cfg.latency_dist = *dist;
  cfg.nemesis = harness::split_list(nemesis);
  cfg.workload_options.consistency_models = harness::split_list(consistency_models);
  if (!availability.empty()) {
    auto a = harness::parse_availability(availability);
    if (!a.ok()) return usage(a.error());
    cfg.availability = *a;
  }
  std::optional<uint64_t> seed;
  if (app.count("--seed") > 0) {
    auto s = harness::parse_seed(seed_text);
    if (!s.ok()) return usage(s.error());
    seed = *s;
  }
  if (app.count("--nodes") > 0) {
    auto ids = harness::parse_node_ids(nodes);
    if (!ids.ok()) return usage(ids.error());
    if (node_count->count() > 0 && static_cast<size_t>(cfg.node_count) != ids->size()) {
      return usage("--nodes names " + std::to_string(ids->size()) + " nodes but --node-count says " +
                   std::to_string(cfg.node_count) + "; give one of them");
    }
    cfg.node_ids = std::move(*ids);
  }
  if (rpc->count() > 0) cfg.rpc_timeout_option = rpc_timeout;
  cfg.status_line = ::isatty(2) != 0;
  auto w = workload::make_workload(cfg.workload, cfg.workload_options);
  if (!w.ok()) return usage(w.error());
  harness::apply_workload_defaults(&cfg, **w);
  if (auto s = harness::validate(&cfg); !s.ok()) return usage(s.error());
  if (::access(cfg.bin.c_str(), X_OK) != 0) {
    return usage("node binary '" + cfg.bin + "' does not exist or is not executable");
  }
  if (auto s = (*w)->validate(cfg.node_count, cfg.concurrency); !s.ok()) return usage(s.error());

  int worst = kExitValid;
  for (int k = 0; k < cfg.test_count; ++k) {
    harness::TestConfig run = cfg;
    run.seed = seed ? *seed + static_cast<uint64_t>(k) : fresh_seed();
    if (cfg.test_count > 1) std::fprintf(stderr, "squall test: run %d of %d\n", k + 1, cfg.test_count);
    bool interrupted = false;
    int code = run_once(run, &interrupted);
    worst = worse_exit(worst, code);
    // The harness itself could not run (the next run would not either), or the user
    // stopped it: no further runs.
    if (code == kExitUsage || interrupted) break;
  }
  if (cfg.test_count > 1) std::printf("\n%d runs; exit code %d (the worst run's)\n", cfg.test_count, worst);
  return worst;
}

}  // namespace squall::cli
