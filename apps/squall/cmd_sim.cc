// squall sim: deterministic simulation of the shard coordination protocol.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "core/clock.h"
#include "core/progress.h"
#include "parse_command_line.h"
#include "sim/config.h"
#include "sim/report.h"

namespace squall::cli {

namespace {

// -w / --workload selects the Maelstrom-workload simulator; without it `squall sim`
// is the coordination simulator, unchanged.
bool asks_for_workload(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a == "-w" || a == "--workload" || a.rfind("--workload=", 0) == 0 || (a.rfind("-w", 0) == 0 && a.size() > 2))
      return true;
  }
  return false;
}

}  // namespace

int cmd_sim(int argc, char** argv) {
  if (asks_for_workload(argc, argv)) return cmd_sim_workload(argc, argv);
  CLI::App app{
      "Deterministic simulation of the shard coordination protocol with seeded faults.\n"
      "Runs seeds S..S+N-1; any failure prints a replay command and the failing seed's trace.\n"
      "With -w WORKLOAD, runs a Maelstrom workload on in-process node cores instead\n"
      "(see 'squall sim -w broadcast --help').",
      "squall sim"};
  int level = 1;
  uint64_t seeds = 0;
  uint64_t seed = 0;
  sim::SimConfig cfg;
  std::string mutation;
  std::string trace_out;
  size_t trace_lines = 60;
  bool list_mutations = false;
  app.add_option("--level", level, "fault level: 1 sunny, 2 stormy, 3 radioactive")->check(CLI::Range(1, 3));
  app.add_option("--seeds", seeds, "number of seeds to run (default 1 with --seed, else 100)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
  app.add_option("--seed", seed, "first seed (default 1)");
  app.add_option("--workers", cfg.workers, "simulated workers")->check(CLI::Range(2, 64));
  app.add_option("--shards", cfg.shards, "root shards")->check(CLI::Range(1, 1000));
  app.add_option("--steps", cfg.steps, "safety-phase steps (1 ms ticks)")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}));
  app.add_option("--mutation", mutation, "deliberately break the protocol (see --list-mutations)");
  app.add_option("--trace-out", trace_out, "write the traced seed's full trace to this file");
  app.add_option("--trace-lines", trace_lines, "trace lines shown in the report")
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  app.add_flag("--list-mutations", list_mutations, "list mutation names and exit");
  if (auto stop = parse_command_line(app, argc, argv, "sim")) return *stop;
  if (list_mutations) {
    for (auto name : sim::all_mutation_names()) std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return kExitValid;
  }
  cfg.level = level;
  if (!mutation.empty() && !sim::apply_mutation(mutation, &cfg)) {
    std::fprintf(stderr, "squall sim: unknown mutation '%s' (see --list-mutations)\n", mutation.c_str());
    return kExitUsage;
  }
  sim::SweepOptions opt;
  opt.cfg = cfg;
  const bool seed_given = app.count("--seed") > 0;
  opt.first_seed = seed_given ? seed : 1;
  opt.seeds = seeds != 0 ? seeds : (seed_given ? 1 : 100);
  if (opt.first_seed > UINT64_MAX - opt.seeds) {
    std::fprintf(stderr, "squall sim: --seed + --seeds overflows 64 bits\n");
    return kExitUsage;
  }
  opt.trace_tail_lines = trace_lines;
  std::FILE* sink = nullptr;
  if (!trace_out.empty()) {
    sink = std::fopen(trace_out.c_str(), "w");
    if (sink == nullptr) {
      std::fprintf(stderr, "squall sim: cannot write trace file '%s'\n", trace_out.c_str());
      return kExitUsage;
    }
    opt.trace_sink = sink;
  }
  // Progress on stderr for sweeps long enough to need it: a live line on a terminal,
  // a line every 10 s in a log.
  const SteadyClock clock;
  const int64_t start_ns = clock.now_ns();
  core::Progress progress(core::Progress::stderr_sink(), ::isatty(2) != 0);
  core::ProgressState state;
  state.total = static_cast<int64_t>(opt.seeds);
  auto seed_done = [&](uint64_t done, uint64_t failing) {
    state.elapsed_s = static_cast<double>(clock.now_ns() - start_ns) / 1e9;
    state.done = static_cast<int64_t>(done);
    state.failing = static_cast<int64_t>(failing);
    progress.update(clock.now_ns() - start_ns, state);
  };
  if (opt.seeds > 1) opt.on_seed = seed_done;
  sim::SweepResult res = sim::run_sweep(opt);
  if (opt.seeds > 1 && progress.tty()) progress.finish(clock.now_ns() - start_ns, state);
  if (sink != nullptr) std::fclose(sink);
  std::fputs(sim::render_report(opt, res).c_str(), stdout);
  std::fputs(sim::render_timing(res).c_str(), stdout);
  return res.passed() ? kExitValid : kExitInvalid;
}

}  // namespace squall::cli
