// Sweeps over seeds and the SIMULATION REPORT.
//
// run_sweep() runs seeds first_seed .. first_seed+seeds-1 untraced, then re-runs the
// first failing seed (or the only seed) traced, so the report can end with a per-tick
// trace. The report is split in two: render_report() is a pure function of the results
// (byte-identical for identical runs), render_timing() holds the wall-clock figures,
// which vary from run to run. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/config.h"
#include "sim/simulator.h"
#include "sim/stats.h"

namespace squall::sim {

struct SweepOptions {
  SimConfig cfg;
  uint64_t first_seed = 1;
  uint64_t seeds = 1;
  size_t trace_tail_lines = 60;
  std::FILE* trace_sink = nullptr;  // full trace of the traced seed, if set
  // Called after each seed of the sweep with the seeds run and failing so far (for
  // progress on the console); may be empty.
  std::function<void(uint64_t done, uint64_t failing)> on_seed;
};

struct SweepResult {
  Stats total;
  uint64_t seeds_run = 0;
  std::vector<uint64_t> failing_seeds;
  // Per invariant: seeds whose run violated it (in seed order).
  std::vector<std::vector<uint64_t>> seeds_by_invariant = std::vector<std::vector<uint64_t>>(kInvariantCount);
  std::optional<SeedResult> traced;  // the first failing seed (or the single seed), traced
  double wall_seconds = 0;
  bool passed() const { return failing_seeds.empty(); }
};

SweepResult run_sweep(const SweepOptions& opt);
std::string replay_command(const SimConfig& cfg, uint64_t seed);
std::string render_report(const SweepOptions& opt, const SweepResult& res);
std::string render_timing(const SweepResult& res);

}  // namespace squall::sim
