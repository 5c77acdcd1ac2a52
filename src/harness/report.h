// Report: the MAELSTROM REPORT printed at the end of a run and saved as report.txt.
//
// Layout follows the spec's report format: nodes, duration, operations, nemesis,
// PASS/FAIL, consistency (valid, lost and stable with percentages), latency quantiles,
// convergence rounds against ceil(log2 n), and on failure the anomalies with examples.
// For workloads without per-message delivery (echo, unique-ids, counters) the lost /
// stable / rounds lines say "n/a" and the latency lines show client op latency.
// Warnings (protocol violations, by kind with a first example) come right after the
// result, whatever the verdict: they fail the run only under --strict. Node text in the
// report is shown through printable(): no terminal control byte survives. Pure function
// of its input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/verdict.h"
#include "harness/convergence.h"
#include "history/value.h"
#include "workload/stats.h"

namespace squall::harness {

struct ReportInput {
  std::string workload;
  int nodes = 0;
  double duration_s = 0;
  int64_t ops = 0;
  int64_t ok = 0, fail = 0, info = 0;
  std::string nemesis;  // "none" or "partition (3 partitions)"
  // Every nemesis action ("  12.3 s  kill n2"), listed under the Nemesis line.
  std::vector<std::string> nemesis_events;
  Verdict verdict = Verdict::kUnknown;
  const history::Value* set_result = nullptr;  // set-full result, for set workloads
  workload::LatencySummary op_latency;
  RoundsSummary rounds;
  double msgs_per_op = 0;
  std::vector<std::string> anomalies;  // each may span lines
  std::vector<std::string> warnings;   // protocol violations, one entry per kind; may span lines
  bool strict = false;                 // --strict: the warnings fail the run
  std::string store_dir;
  std::string reproduce;  // command line that replays the run
  bool interrupted = false;
};

std::string render_report(const ReportInput& in);

// Plain-language anomalies of a workload result map (lost, unexpected, duplicated ids,
// echo mismatches, impossible counter reads, and its own :report-lines), appended to *out.
void workload_anomalies(const history::Value& workload_result, std::vector<std::string>* out);

// ceil(log2(n)), with 0 for n <= 1.
int expected_rounds(int n);

}  // namespace squall::harness
