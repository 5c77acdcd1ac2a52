#include "sim/report.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "sim/describe.h"

namespace squall::sim {

SweepResult run_sweep(const SweepOptions& opt) {
  SweepResult res;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < opt.seeds; ++i) {
    const uint64_t seed = opt.first_seed + i;
    SeedResult r = run_seed(opt.cfg, seed);
    res.total.merge(r.stats);
    ++res.seeds_run;
    if (!r.passed) {
      res.failing_seeds.push_back(seed);
      std::vector<bool> seen(kInvariantCount, false);
      for (const auto& v : r.violations) {
        auto k = static_cast<size_t>(v.invariant);
        if (!seen[k]) res.seeds_by_invariant[k].push_back(seed);
        seen[k] = true;
      }
    }
    if (opt.on_seed) opt.on_seed(res.seeds_run, res.failing_seeds.size());
  }
  const auto end = std::chrono::steady_clock::now();
  res.wall_seconds = std::chrono::duration<double>(end - start).count();
  // Trace the first failure, or the only seed; identical to its untraced run because
  // tracing draws no randomness.
  if (!res.failing_seeds.empty() || opt.seeds == 1) {
    const uint64_t seed = res.failing_seeds.empty() ? opt.first_seed : res.failing_seeds.front();
    TraceOptions t;
    t.enabled = true;
    t.tail_lines = opt.trace_tail_lines;
    t.sink = opt.trace_sink;
    res.traced = run_seed(opt.cfg, seed, t);
  }
  return res;
}

std::string replay_command(const SimConfig& cfg, uint64_t seed) {
  std::string cmd = fmt::format("squall sim --level {} --seed {} --workers {} --shards {} --steps {}", cfg.level, seed,
                                cfg.workers, cfg.shards, cfg.steps);
  if (!cfg.mutation_name.empty()) cmd += " --mutation " + cfg.mutation_name;
  return cmd;
}

namespace {

// A box-drawn table; cells are ASCII so byte length is display width.
std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_align) {
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = head[c].size();
    for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
  }
  auto rule = [&](const char* l, const char* m, const char* r) {
    std::string s = l;
    for (size_t c = 0; c < w.size(); ++c) {
      for (size_t i = 0; i < w[c] + 2; ++i) s += "─";
      s += c + 1 < w.size() ? m : r;
    }
    return s + "\n";
  };
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "│";
    for (size_t c = 0; c < w.size(); ++c) {
      std::string pad(w[c] - cells[c].size(), ' ');
      s += " " + (right_align[c] ? pad + cells[c] : cells[c] + pad) + " │";
    }
    return s + "\n";
  };
  std::string out = rule("┌", "┬", "┐") + line(head) + rule("├", "┼", "┤");
  for (const auto& r : rows) out += line(r);
  return out + rule("└", "┴", "┘");
}

std::string seeds_list(const std::vector<uint64_t>& seeds) {
  std::string s;
  for (size_t i = 0; i < seeds.size() && i < 8; ++i) s += (i ? "," : "") + std::to_string(seeds[i]);
  if (seeds.size() > 8) s += fmt::format(",... (+{})", seeds.size() - 8);
  return s;
}

}  // namespace

std::string render_report(const SweepOptions& opt, const SweepResult& res) {
  const SimConfig& cfg = opt.cfg;
  const Stats& st = res.total;
  std::string out;
  out += fmt::format("SIMULATION REPORT — level {} ({})\n", cfg.level, level_name(cfg.level));
  out += "══════════════════════════════════════\n";
  out +=
      fmt::format("Seeds tested:     {} ({}..{})\n", res.seeds_run, opt.first_seed, opt.first_seed + res.seeds_run - 1);
  out += fmt::format("Scenario:         {} workers x {} shards, {} safety steps of {}ms, lease {}ms\n", cfg.workers,
                     cfg.shards, cfg.steps, cfg.tick_ms, cfg.lease_duration_ms);
  out += fmt::format("Mutation:         {}\n", cfg.mutation_name.empty() ? "none" : cfg.mutation_name);
  out += fmt::format("Result:           {}\n", res.passed() ? "PASS" : "FAIL");
  out += fmt::format("Simulated time:   {:.3f}s ({} steps)\n", static_cast<double>(st.simulated_ms) / 1000.0, st.steps);
  out += fmt::format("Coordination ops: {}\n", st.coord_ops);
  out += fmt::format("Items processed:  {} (duplicate finding writes absorbed: {})\n", st.items_processed,
                     st.findings_deduplicated);

  out += "\nOperations:\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> under;
  for (int k = 1; k <= coord::kOpKindCount; ++k) {
    auto kind = static_cast<coord::OpKind>(k);
    const auto& o = st.ops[static_cast<size_t>(k) - 1];
    const uint64_t total = st.op_total(kind);
    rows.push_back({coord::to_string(kind), std::to_string(total), std::to_string(o[0]), std::to_string(o[1]),
                    std::to_string(o[2]), std::to_string(o[3])});
    if (total < 5) under.push_back(fmt::format("{} ({})", coord::to_string(kind), total));
  }
  out += table({"Operation", "Total", "Ok", "Replayed", "Rejected", "Backend err"}, rows,
               {false, true, true, true, true, true});

  out += "\nFaults injected:\n";
  rows.clear();
  for (int f = 0; f < kFaultCount; ++f)
    rows.push_back({to_string(static_cast<Fault>(f)), std::to_string(st.faults[static_cast<size_t>(f)])});
  out += table({"Fault", "Count"}, rows, {false, true});

  out += "\nInvariant checks:\n";
  rows.clear();
  for (int i = 0; i < kInvariantCount; ++i) {
    const auto k = static_cast<size_t>(i);
    rows.push_back({to_string(static_cast<Invariant>(i)), res.seeds_by_invariant[k].empty() ? "PASS" : "FAIL",
                    std::to_string(st.checks[k])});
  }
  out += table({"Invariant", "Status", "Checks"}, rows, {false, false, true});
  out += "\nUnder-covered operations (< 5): " + (under.empty() ? std::string("none") : std::string()) + "\n";
  for (const auto& u : under) out += "  " + u + "\n";

  if (!res.passed()) {
    out += "\nViolations:\n";
    rows.clear();
    for (int i = 0; i < kInvariantCount; ++i) {
      const auto k = static_cast<size_t>(i);
      if (res.seeds_by_invariant[k].empty()) continue;
      rows.push_back({to_string(static_cast<Invariant>(i)), std::to_string(st.violations[k]),
                      seeds_list(res.seeds_by_invariant[k])});
    }
    out += table({"Invariant", "Count", "Seeds"}, rows, {false, true, false});
    out += fmt::format("Failing seeds: {} of {}\n", res.failing_seeds.size(), res.seeds_run);
  }
  if (res.traced) {
    const SeedResult& t = *res.traced;
    if (!t.passed) {
      out += "\nFirst violation (seed " + std::to_string(t.seed) + "):\n";
      for (const auto& v : t.violations)
        out += fmt::format("  t={}ms {}: {}\n", v.at_ms, to_string(v.invariant), v.detail);
      out += "\nReplay: " + replay_command(cfg, t.seed) + "\n";
    }
    out += fmt::format("\nTrace of seed {} (last {} of {} lines{}):\n", t.seed, t.trace_tail.size(), t.trace_lines,
                       t.passed ? "" : ", ending at the violation");
    for (const auto& l : t.trace_tail) out += "  " + l + "\n";
    out += fmt::format("Trace hash: {:016x}\n", t.trace_hash);
  }
  return out;
}

std::string render_timing(const SweepResult& res) {
  const double sim_s = static_cast<double>(res.total.simulated_ms) / 1000.0;
  const double wall = std::max(res.wall_seconds, 1e-9);
  return fmt::format(
      "\nTiming (wall clock; varies between runs, excludes the traced re-run):\n"
      "  Wall time:         {:.3f}s\n"
      "  Time compression:  {:.0f}x (simulated seconds per wall second)\n"
      "  Throughput:        {:.0f} coordination ops/s\n",
      wall, sim_s / wall, static_cast<double>(res.total.coord_ops) / wall);
}

}  // namespace squall::sim
