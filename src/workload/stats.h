// Workload-independent checkers over a history: stats (ok/fail/info per f, Jepsen's
// rule that every f needs at least one ok), availability (share of ok completions) and
// client latency quantiles. Pure functions.
#pragma once

#include <optional>
#include <string>

#include "checker/result_map.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::workload {

history::Value check_stats(const History& history);

// `min_ok_fraction`: the --availability threshold in [0, 1]; nullopt = not checked.
history::Value check_availability(const History& history, std::optional<double> min_ok_fraction);
// The report line for a failed availability check, e.g. "availability 0.9997 (18450
// of 18456 operations ok) is below the required 1"; "" when the check passed.
std::string availability_problem(const history::Value& availability);

// Invocation-to-completion latency quantiles (ms) of ok ops at 0.5, 0.95, 0.99 and 1.
struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};
LatencySummary op_latencies(const History& history);

}  // namespace squall::workload
