// RunHistory: what a run page and a message diagram need from a run's history.edn,
// read once per request: the nemesis windows (partitions and other faults) and a way to
// find the operation an anomaly's example is about.
//
// The history may be huge (millions of ops) or damaged (a killed run, a hand-edited
// file): reading stops after kMaxHistoryLines lines, and a line that does not parse is
// skipped and counted, never fatal. Windows follow the harness's own nemesis records: a
// window runs from an :info :start-partition (or any :start-*) to the next :stop-*, or
// to the end of what was read. Thread-safe to use once built (read-only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/op_span.h"

namespace squall::serve {

inline constexpr size_t kMaxHistoryLines = 300'000;

struct HistoryOp {
  int64_t index = 0;
  int64_t invocation = 0;  // the index of this op's invocation (itself for an invocation)
  int64_t time_ns = 0;
  std::string type;   // "invoke", "ok", ...
  std::string f;      // "add", ...
  std::string value;  // as EDN
  bool client = true;
};

class RunHistory {
 public:
  // Reads `path` (history.edn); a missing file gives an empty history.
  static RunHistory read(const std::string& path);

  const std::vector<viz::Window>& faults() const { return faults_; }
  int64_t end_ns() const { return end_ns_; }
  size_t skipped_lines() const { return skipped_; }
  bool cut() const { return cut_; }

  // The first client invocation whose value is `value_edn`, else the first completion whose
  // value holds it as an element (a :read's list); nullptr when none.
  const HistoryOp* invocation_with_value(const std::string& value_edn) const;
  // The op with this index, or nullptr.
  const HistoryOp* op_at_index(int64_t index) const;
  // The first client invocation at or after `t_ns`, or nullptr.
  const HistoryOp* invocation_at(int64_t t_ns) const;

 private:
  std::vector<HistoryOp> ops_;  // client invocations and every op with an index, in order
  std::vector<viz::Window> faults_;
  int64_t end_ns_ = 0;
  size_t skipped_ = 0;
  bool cut_ = false;
};

}  // namespace squall::serve
