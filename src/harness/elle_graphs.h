// The anomaly graphs of a txn check: one SVG per cycle example, plus an index page.
//
// The txn checker's result (Elle's shape, see checker/txn/checker.h: :anomalies maps each
// anomaly type to examples, and a cycle example carries :cycle, the transactions in
// order with the first repeated at the end, and :steps, each edge with its :type, :from,
// :to, :key, :value and :value') is turned into viz::TxnCycle drawings here, so viz
// needs neither the checker nor EDN values. Used by `squall test` for the txn workloads
// (elle/ in the run's directory) and by `squall check --model list-append|rw-register
// --elle-dir DIR`. Examples that are not cycles (graph-free anomalies) are not drawn.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "history/value.h"
#include "viz/txn_graph.h"

namespace squall::harness {

struct ElleDrawing {
  std::string file;  // "<anomaly-type>-<n>.svg", n counting from 0 within the type
  viz::TxnCycle cycle;
};

// The drawings of every cycle example in a txn check result; examples whose shape is
// not a cycle (or is malformed) are skipped, never fatal.
std::vector<ElleDrawing> elle_drawings(const history::Value& txn_result);

// Writes the drawings and index.html into `dir` (created if needed). Returns the file
// names written, relative to `dir`, index.html last; nothing (and no directory) when the
// result has no cycle example.
Result<std::vector<std::string>> write_elle_graphs(const std::string& dir, const history::Value& txn_result);

// index.html: each drawing under its anomaly type, linked and shown inline.
std::string render_elle_index(const std::vector<ElleDrawing>& drawings);

// For `squall test`: writes <run_dir>/elle/ and records the files in the workload's
// result as :elle-graphs ["elle/<type>-<n>.svg" … "elle/index.html"], with a report line
// naming the folder. Drawings are a convenience: an error is for the log, never a verdict.
Status add_elle_graphs(const std::string& run_dir, history::Value* workload_result);

}  // namespace squall::harness
