#include "msim/sweep.h"

#include <fmt/format.h>

#include <chrono>

namespace squall::msim {

MsimConfig config_for_seed(const MsimConfig& base, uint64_t seed) {
  MsimConfig c = base;
  c.seed = seed;
  if (c.swarm) c.faults = draw_swarm(c.workload, Rng(seed).fork("swarm"));
  return c;
}

namespace {

Result<RunResult> run_one(const MsimConfig& cfg, const NodeFactory& factory, RunOptions ro) {
  auto w = workload::make_workload(cfg.workload, cfg.workload_options);
  if (!w.ok()) return err(w.error());
  Driver d(cfg, factory, std::move(*w), std::move(ro));
  return d.run();
}

}  // namespace

Result<SweepResult> run_sweep(const SweepOptions& o, const NodeFactory& factory) {
  SweepResult res;
  // Wall time only measures the simulator's speed; it never enters a run.
  auto t0 = std::chrono::steady_clock::now();
  std::optional<uint64_t> first_fail;
  for (uint64_t k = 0; k < o.seeds; ++k) {
    uint64_t seed = o.first_seed + k;
    MsimConfig cfg = config_for_seed(o.cfg, seed);
    RunOptions ro;
    ro.keep_history_text = false;
    ro.trace_tail = o.seeds == 1 ? o.trace_tail : 0;
    if (o.seeds == 1) {
      ro.store_root = o.store_root;
      ro.trace_sink = o.trace_sink;
    }
    auto r = run_one(cfg, factory, std::move(ro));
    if (!r.ok()) return err(r.error());
    ++res.runs;
    res.sim_ns += r->sim_ns;
    res.delivered += r->delivered;
    res.worst = merge(res.worst, r->verdict);
    if (r->verdict != Verdict::kValid) {
      res.failing.push_back(seed);
      if (!first_fail) first_fail = seed;
    }
    if (o.seeds == 1) {
      res.shown = std::move(*r);
      res.have_shown = true;
    }
  }
  res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.seeds > 1 && first_fail) {
    RunOptions ro;
    ro.store_root = o.store_root;
    ro.trace_tail = o.trace_tail;
    ro.trace_sink = o.trace_sink;
    auto r = run_one(config_for_seed(o.cfg, *first_fail), factory, std::move(ro));
    if (!r.ok()) return err(r.error());
    res.shown = std::move(*r);
    res.have_shown = true;
  }
  return res;
}

std::string render_sweep(const SweepOptions& o, const SweepResult& r) {
  std::string out;
  if (r.have_shown) out += r.shown.report;
  if (o.seeds > 1) {
    out += fmt::format("\nsquall sim -w {}: {} seeds ({}..{}), {} passed, {} failed{}\n", o.cfg.workload, r.runs,
                       o.first_seed, o.first_seed + o.seeds - 1, r.runs - r.failing.size(), r.failing.size(),
                       o.cfg.swarm ? " (swarm: each seed drew its own faults)" : "");
    if (!r.failing.empty()) {
      std::string seeds;
      for (size_t i = 0; i < r.failing.size() && i < 20; ++i) seeds += fmt::format("{}{}", i ? " " : "", r.failing[i]);
      out += fmt::format("failing seeds: {}{}\n", seeds, r.failing.size() > 20 ? " ..." : "");
      out += fmt::format("the report above is seed {}'s (faults: {})\n", r.failing.front(), r.shown.faults);
    }
  }
  if (r.have_shown && r.shown.verdict != Verdict::kValid) {
    out += "Replay: " + r.shown.replay + "\n";
    out += fmt::format("Trace, the last {} of {} events (digest {:016x}):\n", r.shown.trace_tail.size(),
                       r.shown.trace_events, r.shown.trace_digest);
    for (const auto& l : r.shown.trace_tail) out += "  " + l + "\n";
  }
  double sim_s = static_cast<double>(r.sim_ns) / 1e9;
  out += fmt::format("timing: {:.1f} simulated s in {:.2f} wall s ({:.0f}x), {} messages delivered ({:.0f}/s)\n", sim_s,
                     r.wall_s, r.wall_s > 0 ? sim_s / r.wall_s : 0.0, r.delivered,
                     r.wall_s > 0 ? static_cast<double>(r.delivered) / r.wall_s : 0.0);
  return out;
}

}  // namespace squall::msim
