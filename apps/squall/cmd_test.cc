// squall test: the Maelstrom-compatible workbench. Parses Maelstrom's `test` flags (plus
// --seed, --recovery-time and --store), runs the test and prints the MAELSTROM REPORT.
#include <sys/random.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "commands.h"
#include "parse_command_line.h"
#include "harness/config.h"
#include "harness/runner.h"
#include "workload/workload.h"

namespace squall::cli {
namespace {

uint64_t fresh_seed() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
    seed = static_cast<uint64_t>(std::time(nullptr)) ^ (static_cast<uint64_t>(::getpid()) << 32);
  }
  return seed & ((uint64_t{1} << 53) - 1);  // stays exact when read back from JSON
}

}  // namespace

int cmd_test(int argc, char** argv) {
  harness::TestConfig cfg;
  std::string latency_dist = "constant";
  std::string nemesis;
  std::string availability;
  std::optional<uint64_t> seed;

  std::string workloads;
  for (const auto& n : workload::workload_names()) workloads += (workloads.empty() ? "" : ", ") + n;
  CLI::App app{"Runs a Maelstrom node binary on a simulated network, drives a workload, injects faults,\n"
               "checks the history and prints the MAELSTROM REPORT. Exit code: 0 valid, 1 invalid,\n"
               "2 unknown, 254 bad usage.",
               "squall test"};
  app.option_defaults()->always_capture_default();
  app.add_option("-w,--workload", cfg.workload, "Workload to run: " + workloads);
  app.add_option("--bin", cfg.bin, "Node binary to test (executed directly, no shell)")->required();
  app.add_option("--node-count", cfg.node_count, "Number of nodes n0 .. n(N-1)");
  app.add_option("--concurrency", cfg.concurrency_spec, "Client threads: an integer, or Kn for K times the node count");
  app.add_option("--time-limit", cfg.time_limit_s, "Seconds of main phase (operations and faults)");
  app.add_option("--rate", cfg.rate, "Operations per second, across all clients");
  app.add_option("--latency", cfg.latency_ms, "Mean node-to-node (and node-to-service) latency in ms; clients get none");
  app.add_option("--latency-dist", latency_dist, "Latency distribution: constant, uniform (0..2x mean) or exponential");
  app.add_option("--nemesis", nemesis, "Faults to inject, comma-separated: partition (empty for none)");
  app.add_option("--nemesis-interval", cfg.nemesis_interval_s,
                 "Mean seconds between nemesis actions (gaps uniform in [0, 2x interval])");
  app.add_option("--topology", cfg.topology, "Broadcast topology: grid, line, tree2, tree3, tree4, total");
  app.add_option("--availability", availability,
                 "Require this fraction of operations to succeed ('total' = all); unchecked if absent");
  app.add_flag("--log-stderr", cfg.log_stderr, "Also show node stderr on the console (always in node-logs/)");
  app.add_flag("--strict", cfg.strict,
               "Protocol violations (bad JSON, bad envelopes, malformed replies) fail the run; by default they are "
               "warnings and the op they touch is recorded as :info");
  app.add_option("--seed", seed, "Seed for all harness randomness: generator, latencies, nemesis (printed at start)");
  app.add_option("--recovery-time", cfg.recovery_time_s, "Seconds to wait after healing before the final reads");
  app.add_option("--rpc-timeout", cfg.rpc_timeout_s, "Client request timeout in seconds");
  app.add_option("--store", cfg.store_dir, "Directory of the store (runs go to <store>/<workload>/<time>/)");
  app.add_option("args", cfg.bin_args, "Arguments passed to the node binary (put them after --)");

  if (auto stop = parse_command_line(app, argc, argv, "test")) return *stop;

  auto dist = net::parse_latency_dist(latency_dist);
  if (!dist.ok()) {
    std::fprintf(stderr, "squall test: --latency-dist: %s\n", dist.error().c_str());
    return kExitUsage;
  }
  cfg.latency_dist = *dist;
  cfg.nemesis = harness::split_list(nemesis);
  if (!availability.empty()) {
    auto a = harness::parse_availability(availability);
    if (!a.ok()) {
      std::fprintf(stderr, "squall test: %s\n", a.error().c_str());
      return kExitUsage;
    }
    cfg.availability = *a;
  }
  cfg.seed = seed ? *seed : fresh_seed();
  cfg.status_line = ::isatty(2) != 0;
  if (auto s = harness::validate(&cfg); !s.ok()) {
    std::fprintf(stderr, "squall test: %s\n", s.error().c_str());
    return kExitUsage;
  }
  if (::access(cfg.bin.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "squall test: node binary '%s' does not exist or is not executable\n", cfg.bin.c_str());
    return kExitUsage;
  }
  auto w = workload::make_workload(cfg.workload);
  if (!w.ok()) {
    std::fprintf(stderr, "squall test: %s\n", w.error().c_str());
    return kExitUsage;
  }
  if (auto s = (*w)->validate(cfg.node_count, cfg.concurrency); !s.ok()) {
    std::fprintf(stderr, "squall test: %s\n", s.error().c_str());
    return kExitUsage;
  }

  harness::Runner runner(cfg, std::move(*w));
  auto summary = runner.run();
  if (!summary.ok()) {
    std::fprintf(stderr, "squall test: %s\n", summary.error().c_str());
    return kExitUsage;
  }
  std::fflush(stderr);
  std::printf("\n%s", summary->report.c_str());
  std::fflush(stdout);
  switch (summary->verdict) {
    case workload::Verdict::kValid: return kExitValid;
    case workload::Verdict::kInvalid: return kExitInvalid;
    case workload::Verdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace squall::cli
