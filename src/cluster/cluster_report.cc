#include "cluster/cluster_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "history/edn.h"

namespace squall::cluster {
namespace {

constexpr double kLeadS = 10;
constexpr double kTrailS = 2;
constexpr size_t kLinesMax = 40;

std::string op_line(const workload::Op& op) {
  std::string who = op.process == workload::kNemesisProcess ? "NEMESIS" : fmt::format("p{}", op.process);
  std::string s = fmt::format("t={:.3f}s {} :{} :{} {}", static_cast<double>(op.time_ns) / 1e9, who,
                              history::to_string(op.type), op.f, op.value);
  if (!op.node.empty()) s += " (" + op.node + ")";
  if (!op.error.empty()) s += " " + op.error;
  return s;
}

int64_t int_or(const history::Value* r, const char* k, int64_t dflt) {
  const history::Value* v = r ? r->get(k) : nullptr;
  return v && v->is_int() ? v->as_int() : dflt;
}

std::string status_of(const history::Value* v) {
  if (!v) return "UNKNOWN";
  if (v->kind() == history::Value::Kind::kBool) return v->as_bool() ? "PASS" : "FAIL";
  return "UNKNOWN";
}

struct Row {
  std::string name, status;
  int64_t checks;
};

// The invariants the workload's checker verified, with how many things it checked.
std::vector<Row> invariant_rows(const std::string& workload, const history::Value* r) {
  std::vector<Row> rows;
  if (!r) return rows;
  // A workload that checks several invariants lists them itself: :invariants is a
  // vector of {:name :status :checks} maps (the shard workloads).
  if (const history::Value* list = r->get("invariants")) {
    for (const auto& row : list->items()) {
      const history::Value* name = row.get("name");
      const history::Value* status = row.get("status");
      rows.push_back({name && name->is_string() ? name->as_string() : "?",
                      status && status->is_string() ? status->as_string() : "UNKNOWN", int_or(&row, "checks", 0)});
    }
    return rows;
  }
  std::string verdict = status_of(r->get("valid?"));
  if (workload == "register") {
    rows.push_back({"Linearizability (per key)", verdict, int_or(r, "key-count", 0)});
  } else if (workload == "set") {
    rows.push_back({"Acknowledged adds survive", verdict, int_or(r, "acknowledged-count", 0)});
  } else if (workload == "lock") {
    rows.push_back({"Lock exclusivity", verdict, int_or(r, "hold-count", 0)});
  } else if (workload == "lock-set" || workload == "lock-fenced-set") {
    rows.push_back({"No lost updates", verdict, int_or(r, "acknowledged-count", 0)});
    rows.push_back({"Lock holds disjoint (info)", int_or(r, "overlap-count", 0) == 0 ? "PASS" : "OVERLAP",
                    int_or(r, "hold-count", 0)});
  } else {
    rows.push_back({"Recovery after final heal", verdict, 1});
  }
  return rows;
}

std::string table(const std::vector<Row>& rows) {
  size_t w = 28;
  for (const auto& r : rows) w = std::max(w, r.name.size() + 1);
  auto bar = [&](const char* l, const char* m, const char* r) {
    std::string s = l;
    for (size_t i = 0; i < w + 1; ++i) s += "─";
    s += m;
    for (int i = 0; i < 9; ++i) s += "─";
    s += m;
    for (int i = 0; i < 9; ++i) s += "─";
    return s + r + "\n";
  };
  std::string out = bar("┌", "┬", "┐");
  out += fmt::format("│ {:<{}}│ {:<8}│ {:<8}│\n", "Invariant", w, "Status", "Checks");
  out += bar("├", "┼", "┤");
  for (const auto& r : rows) out += fmt::format("│ {:<{}}│ {:<8}│ {:<8}│\n", r.name, w, r.status, r.checks);
  return out + bar("└", "┴", "┘");
}

}  // namespace

std::vector<std::string> interleaved_ops(const workload::History& h, const std::vector<size_t>& indices,
                                         int64_t violation, const std::string& note) {
  std::vector<std::string> out;
  if (indices.empty()) return out;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  std::set<size_t> shown;
  for (size_t i : indices) {
    if (i >= h.size()) continue;
    lo = std::min(lo, h[i].time_ns);
    hi = std::max(hi, h[i].time_ns);
    shown.insert(i);
  }
  if (shown.empty()) return out;
  lo -= static_cast<int64_t>(kLeadS * 1e9);
  hi += static_cast<int64_t>(kTrailS * 1e9);
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.process == workload::kNemesisProcess && op.type == workload::OpType::kInfo && op.time_ns >= lo &&
        op.time_ns <= hi) {
      shown.insert(i);
    }
  }
  for (size_t i : shown) {
    if (out.size() == kLinesMax) {
      out.push_back(fmt::format("… ({} more; see history.edn)", shown.size() - kLinesMax));
      break;
    }
    out.push_back(op_line(h[i]) + (static_cast<int64_t>(i) == violation ? " ← VIOLATION: " + note : ""));
  }
  return out;
}

std::string render_cluster_report(const ClusterReportInput& in) {
  int64_t ok = 0, fail = 0, info = 0;
  if (in.history) {
    for (const auto& op : *in.history) {
      if (op.process == workload::kNemesisProcess) continue;
      ok += op.type == workload::OpType::kOk;
      fail += op.type == workload::OpType::kFail;
      info += op.type == workload::OpType::kInfo;
    }
  }
  const history::Value* r = in.results;
  std::string out;
  out += fmt::format("\nJEPSEN REPORT — {}\n", in.workload);
  out += "══════════════════════════\n";
  std::string nodes;
  for (const auto& n : in.nodes) nodes += (nodes.empty() ? "" : ",") + n;
  out += fmt::format("Nodes: {} ({}; {})\n", in.nodes.size(), nodes, in.transport);
  out += fmt::format("Duration: {:.1f}s\n", in.duration_s);
  out += fmt::format("Operations: {} ({}/{}/{})\n", ok + fail + info, ok, fail, info);
  out += fmt::format("Nemesis: {} ({} faults)\n", in.nemesis, in.faults);
  out += fmt::format("Concurrency: {}\n", in.concurrency);
  out += fmt::format("Result: {}\n", in.result);
  const history::Value* checker = r ? r->get("checker") : nullptr;
  out += fmt::format("Checker: {}\n", checker && checker->is_string() ? checker->as_string() : "recovery");
  out += fmt::format("Valid history: {}\n", in.result == "PASS" ? "yes" : in.result == "FAIL" ? "no" : "unknown");
  if (r && r->get("reason") && r->get("reason")->is_string()) {
    out += fmt::format("Reason: {}\n", r->get("reason")->as_string());
  }
  const history::Value* anomalies = r ? r->get("anomalies") : nullptr;
  size_t count = anomalies ? anomalies->items().size() : 0;
  out += fmt::format("Anomalies: {}\n", in.result == "PASS" ? 0 : count);
  if (anomalies) {
    for (const auto& a : anomalies->items())
      out += fmt::format("  {} {}\n", in.result == "PASS" ? "note:" : "-", a.as_string());
  }
  out += "Invariant checks:\n" + table(invariant_rows(in.workload, r));
  out += fmt::format("Bring-up: {} ms; teardown: {} ms\n", in.bringup_ms, in.teardown_ms);
  out += "Clock skew: reaches libc clock readers under libfaketime; etcd (Go) is not reached\n";
  out += fmt::format("Store: {}\n", in.store_dir);
  if (in.result != "PASS" && in.history && r && r->get("anomaly-ops")) {
    std::vector<size_t> idx;
    for (const auto& v : r->get("anomaly-ops")->items()) idx.push_back(static_cast<size_t>(v.as_int()));
    const history::Value* v = r->get("violation-op");
    const history::Value* note = r->get("violation-note");
    auto lines = interleaved_ops(*in.history, idx, v && v->is_int() ? v->as_int() : -1,
                                 note && note->is_string() ? note->as_string() : "");
    if (!lines.empty()) {
      out += "Failing operations:\n";
      for (const auto& l : lines) out += l + "\n";
    }
  }
  out += "Reproduction:\n" + in.reproduce + "\n";
  return out;
}

}  // namespace squall::cluster
