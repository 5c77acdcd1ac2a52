// Store: the on-disk record of one run, written as the run goes.
//
// Layout: <root>/<workload>/<timestamp>/ with history.edn and history.txt (one line per
// op, flushed as ops happen), jepsen.log (the harness's log), node-logs/<node>.log
// (written by the nodes themselves), and at the end results.edn, results.json and
// report.txt. The symlinks <root>/latest and <root>/<workload>/latest are pointed at
// the run when it starts, so even a run that is killed leaves its history findable.
// Not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::harness {

class Store {
 public:
  // Creates the run directory (timestamp from the wall clock, made unique if needed).
  static Result<std::unique_ptr<Store>> create(const std::string& root, const std::string& workload);
  ~Store();

  const std::string& dir() const { return dir_; }
  std::string node_log_path(std::string_view node) const;

  // history.edn + history.txt; returns the op's op_edn() line, for callers that need it
  // too (squall sim -w's trace) and should not render it twice.
  std::string append_op(const workload::Op& op);
  void log(std::string_view line);  // jepsen.log, with a wall-clock prefix
  // Also writes independent/<key>/results.{edn,json} for each entry of the workload's
  // per-key :results map, when it has one (Jepsen's independent-checker shape).
  Status write_results(const history::Value& results);
  Status write_report(std::string_view text);
  void flush();

  // EDN and text renderings of one op (exposed for tests).
  static std::string op_edn(const workload::Op& op);
  static std::string op_txt(const workload::Op& op);

 private:
  Store() = default;
  Status write_independent(const history::Value& results);
  std::string dir_;
  FILE* history_edn_ = nullptr;
  FILE* history_txt_ = nullptr;
  FILE* log_ = nullptr;
};

// Writes `text` to `path` via a temporary file and rename.
Status write_file_atomic(const std::string& path, std::string_view text);

}  // namespace squall::harness
