#include "workload/stats.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace squall::workload {

using history::Value;

Value check_stats(const History& history) {
  struct Counts {
    int64_t count = 0, ok = 0, fail = 0, info = 0;
  };
  std::map<std::string, Counts> by_f;
  Counts total;
  for (const Op& op : history) {
    if (op.process == kNemesisProcess || op.type == OpType::kInvoke) continue;
    Counts& c = by_f[op.f];
    for (Counts* k : {&c, &total}) {
      ++k->count;
      if (op.type == OpType::kOk) ++k->ok;
      if (op.type == OpType::kFail) ++k->fail;
      if (op.type == OpType::kInfo) ++k->info;
    }
  }
  Value fs = Value::array_map();
  bool all_ok = true;
  for (const auto& [f, c] : by_f) {
    Value m = Value::array_map();
    m.set("valid?", c.ok > 0);
    m.set("count", c.count);
    m.set("ok-count", c.ok);
    m.set("fail-count", c.fail);
    m.set("info-count", c.info);
    fs.set(Value::keyword(f), std::move(m));
    all_ok = all_ok && c.ok > 0;
  }
  Value r = Value::array_map();
  // No operation at all (--rate 0, as Maelstrom's leader-election tutorial runs) is an
  // empty history: nothing to hold against it, so valid, as Jepsen merges no verdicts.
  r.set("valid?", checker::verdict_value(all_ok ? Verdict::kValid : Verdict::kInvalid));
  r.set("count", total.count);
  r.set("ok-count", total.ok);
  r.set("fail-count", total.fail);
  r.set("info-count", total.info);
  r.set("by-f", std::move(fs));
  return r;
}

Value check_availability(const History& history, std::optional<double> min_ok_fraction) {
  int64_t total = 0, ok = 0;
  for (const Op& op : history) {
    if (op.process == kNemesisProcess || op.type == OpType::kInvoke) continue;
    ++total;
    if (op.type == OpType::kOk) ++ok;
  }
  double fraction = total == 0 ? 0.0 : static_cast<double>(ok) / static_cast<double>(total);
  Value r = Value::array_map();
  if (!min_ok_fraction) {
    r.set("valid?", true);
  } else {
    // With no operation (--rate 0) nothing was unavailable: the requirement holds.
    bool enough = total == 0 || static_cast<double>(ok) >= *min_ok_fraction * static_cast<double>(total);
    r.set("valid?", enough);
    r.set("expected", *min_ok_fraction);
  }
  r.set("ok-fraction", fraction);
  r.set("ok-count", ok);
  r.set("count", total);
  return r;
}

std::string availability_problem(const Value& availability) {
  const Value* expected = availability.get("expected");
  if (!expected || checker::verdict_of(availability) != Verdict::kInvalid) return "";
  int64_t ok = availability.get("ok-count")->as_int();
  int64_t total = availability.get("count")->as_int();
  double required = expected->as_double();
  double fraction = availability.get("ok-fraction")->as_double();
  // Enough digits that the fraction never prints equal to the requirement it missed
  // (0.9997 for 18450/18456, not "1.000").
  std::string shown, wanted;
  for (int digits = 3; digits <= 17; ++digits) {
    shown = fmt::format("{:.{}f}", fraction, digits);
    wanted = fmt::format("{:.{}f}", required, digits);
    if (shown != wanted) break;
  }
  return fmt::format("availability {} ({} of {} operations ok) is below the required {}", shown, ok, total,
                     fmt::format("{}", required));
}

LatencySummary op_latencies(const History& history) {
  auto pairs = pair_completions(history);
  std::vector<int64_t> lat;
  for (size_t i = 0; i < history.size(); ++i) {
    if (pairs[i] < 0) continue;
    const Op& done = history[static_cast<size_t>(pairs[i])];
    if (done.type == OpType::kOk) lat.push_back(done.time_ns - history[i].time_ns);
  }
  LatencySummary s;
  s.count = static_cast<int64_t>(lat.size());
  if (lat.empty()) return s;
  std::sort(lat.begin(), lat.end());
  auto q = [&](double p) {
    size_t idx = std::min(lat.size() - 1, static_cast<size_t>(p * static_cast<double>(lat.size())));
    return static_cast<double>(lat[idx]) / 1e6;
  };
  s.p50_ms = q(0.5);
  s.p95_ms = q(0.95);
  s.p99_ms = q(0.99);
  s.max_ms = static_cast<double>(lat.back()) / 1e6;
  return s;
}

}  // namespace squall::workload
