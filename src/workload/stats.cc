#include "workload/stats.h"

#include <algorithm>
#include <map>

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
  r.set("valid?", verdict_value(total.count == 0 ? Verdict::kUnknown : all_ok ? Verdict::kValid : Verdict::kInvalid));
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
    r.set("valid?", verdict_value(total == 0 ? Verdict::kUnknown
                                              : fraction >= *min_ok_fraction ? Verdict::kValid : Verdict::kInvalid));
    r.set("expected", *min_ok_fraction);
  }
  r.set("ok-fraction", fraction);
  return r;
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
