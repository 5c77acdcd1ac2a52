// Sweep: `squall sim -w` over seeds S .. S+N-1, and what it prints.
//
// Seeds run in memory (no store). The first failing seed is run again with the store,
// which is the same run byte for byte, so its history, results and report land in
// squall test's layout; the output gives its MAELSTROM REPORT, the one-line replay
// command and the end of its trace. With a single seed the run writes the store and
// prints its report whatever the verdict. Swarm mode draws each seed's FaultMix from the
// seed itself, and the replay command spells that mix out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/verdict.h"
#include "msim/config.h"
#include "msim/driver.h"
#include "msim/node_app.h"

namespace squall::msim {

struct SweepOptions {
  MsimConfig cfg;
  uint64_t first_seed = 1;
  uint64_t seeds = 1;
  std::string store_root = "store";
  size_t trace_tail = 60;
  std::FILE* trace_sink = nullptr;  // full trace of the reported seed
};

struct SweepResult {
  uint64_t runs = 0;
  std::vector<uint64_t> failing;  // seeds whose verdict was not valid
  Verdict worst = Verdict::kValid;
  RunResult shown;  // the single run, or the first failing seed's rerun
  bool have_shown = false;
  int64_t sim_ns = 0;
  int64_t delivered = 0;
  double wall_s = 0;
};

// The config seed `seed` runs with: its own fault mix in swarm mode.
MsimConfig config_for_seed(const MsimConfig& base, uint64_t seed);

Result<SweepResult> run_sweep(const SweepOptions& options, const NodeFactory& factory);
std::string render_sweep(const SweepOptions& options, const SweepResult& result);

}  // namespace squall::msim
