#include "cluster_shard/shard_findings.h"

namespace squall::cluster_shard {

history::Value invariant_row(const std::string& name, std::string_view status, int64_t checks) {
  history::Value m = history::Value::array_map();
  m.set("name", history::Value(name));
  m.set("status", history::Value(std::string(status)));
  m.set("checks", history::Value(checks));
  return m;
}

ShardFindings ShardFindings::resume(const history::Value& result) {
  ShardFindings f;
  if (const history::Value* lines = result.get("anomalies")) f.lines_ = *lines;
  if (const history::Value* ops = result.get("anomaly-ops")) f.ops_ = *ops;
  if (const history::Value* op = result.get("violation-op"); op && op->is_int()) {
    f.violation_op_ = op->as_int();
    const history::Value* note = result.get("violation-note");
    f.note_ = note && note->is_string() ? note->as_string() : "";
  }
  f.count_ = f.lines_.size();
  return f;
}

void ShardFindings::add(std::string line, const std::vector<int64_t>& ops, int64_t violation_op, std::string note) {
  ++count_;
  if (lines_.size() < kFindingsMax) {
    lines_.push(history::Value(std::move(line)));
    for (int64_t op : ops) ops_.push(history::Value(op));
  }
  if (violation_op_ < 0 && violation_op >= 0) {
    violation_op_ = violation_op;
    note_ = std::move(note);
  }
}

void ShardFindings::add_line(std::string line) {
  ++count_;
  if (lines_.size() < kFindingsMax) lines_.push(history::Value(std::move(line)));
}

void ShardFindings::mark(int64_t op, std::string note) {
  ops_.push(history::Value(op));
  if (violation_op_ < 0) {
    violation_op_ = op;
    note_ = std::move(note);
  }
}

void ShardFindings::write(history::Value rows, history::Value* result) const {
  result->set("invariants", std::move(rows));
  result->set("anomalies", lines_);
  result->set("anomaly-ops", ops_);
  if (violation_op_ >= 0) {
    result->set("violation-op", history::Value(violation_op_));
    result->set("violation-note", history::Value(note_));
  }
}

}  // namespace squall::cluster_shard
