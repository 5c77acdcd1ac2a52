// ShardFindings: what a shard workload's checker found, in the shape the JEPSEN REPORT
// reads from a result map — the invariant table's rows (:invariants, each :name,
// :status, :checks), the anomaly lines (:anomalies, at most kFindingsMax), the history
// ops that show them (:anomaly-ops, for the report's failing operations interleaved
// with the nemesis events) and the first violation (:violation-op, :violation-note,
// marked in that listing). Every shard workload's checker fills one, so the report
// reads them all alike. Value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "history/value.h"

namespace squall::cluster_shard {

inline constexpr size_t kFindingsMax = 10;

// One row of the invariant table: status PASS, FAIL, UNKNOWN or SKIPPED.
history::Value invariant_row(const std::string& name, std::string_view status, int64_t checks);
// "PASS" or "FAIL".
inline std::string_view pass_fail(bool pass) { return pass ? "PASS" : "FAIL"; }

class ShardFindings {
 public:
  ShardFindings() = default;
  // Carries on from the findings a checker already wrote on `result` (one checker's
  // rows extending another's: concurrent-acquisition on top of the gated-write checks).
  static ShardFindings resume(const history::Value& result);

  // An anomaly and the history ops (indices) that show it; the first one added names
  // `violation_op` as the violation, with `note`. Lines past kFindingsMax are counted
  // only (the first ones are the ones a reader needs).
  void add(std::string line, const std::vector<int64_t>& ops, int64_t violation_op, std::string note);
  // A line with no op to show (an unknown key, a note).
  void add_line(std::string line);
  // An op that shows the findings already listed (always kept), and the violation with
  // `note` when none is named yet.
  void mark(int64_t op, std::string note);
  size_t count() const { return count_; }

  // Sets :invariants, :anomalies, :anomaly-ops and the violation on *result.
  void write(history::Value rows, history::Value* result) const;

 private:
  history::Value lines_ = history::Value::vector();
  history::Value ops_ = history::Value::vector();
  int64_t violation_op_ = -1;
  std::string note_;
  size_t count_ = 0;
};

}  // namespace squall::cluster_shard
