#include "cluster_shard/crash_checks.h"

#include <sstream>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {

IncarnationTrace read_incarnation_trace(std::string_view text, coord::TenantId tenant, coord::RunId run) {
  IncarnationTrace out;
  worker_driver::Identity who{tenant, run, 0};
  std::unordered_map<uint64_t, coord::Request> sent;
  std::optional<uint64_t> open;  // the last request sent, while it is unanswered
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream head(line);
    char dir = 0;
    uint64_t req = 0;
    if (!(head >> dir >> req)) {
      out.unreadable += line.empty() ? 0 : 1;
      continue;
    }
    if (dir == 'W') {
      who.worker = out.worker = req;
      continue;
    }
    const size_t brace = line.find('{');
    const std::string_view json =
        brace == std::string::npos ? std::string_view() : std::string_view(line).substr(brace);
    if (dir == 'S') {
      auto d = worker_driver::decode_request(json, who);
      if (!std::holds_alternative<worker_driver::ControlRequest>(d)) {
        ++out.unreadable;
        continue;
      }
      sent.insert_or_assign(req, std::get<worker_driver::ControlRequest>(d).request);
      open = req;
    } else if (dir == 'A') {
      auto reply = worker_driver::decode_reply(json);
      auto it = sent.find(req);
      if (!reply || it == sent.end()) {
        ++out.unreadable;
        continue;
      }
      if (open == req) open.reset();
      const auto* cp = std::get_if<coord::CheckpointOp>(&it->second);
      if (cp != nullptr && reply->ok())
        out.acked.push_back(AckedCheckpoint{cp->lease.ref.shard, cp->lease.fence, cp->cursor.last_key});
    } else {
      ++out.unreadable;
    }
  }
  if (open) out.in_flight = coord::kind_of(sent.at(*open));
  return out;
}

std::vector<std::string> lost_checkpoints(const std::vector<AckedCheckpoint>& acked,
                                          const std::map<coord::ShardId, coord::ShardRecord>& after) {
  std::vector<std::string> lost;
  for (const AckedCheckpoint& a : acked) {
    auto it = after.find(a.shard);
    if (it == after.end()) {
      lost.push_back(fmt::format("shard {:x} fence {}: checkpoint at {} acknowledged, but the shard has no record",
                                 a.shard, a.fence, a.cursor));
    } else if (coord::key_less(it->second.cursor.last_key, a.cursor)) {
      lost.push_back(fmt::format("shard {:x} fence {}: checkpoint at {} acknowledged, cursor afterwards '{}'", a.shard,
                                 a.fence, a.cursor, it->second.cursor.last_key));
    }
  }
  return lost;
}

std::vector<std::string> missing_entries(const std::set<std::string>& before, const std::set<std::string>& after,
                                         size_t max) {
  std::vector<std::string> missing;
  for (const auto& e : before) {
    if (missing.size() == max) break;
    if (after.count(e) == 0) missing.push_back(e);
  }
  return missing;
}

history::Value with_crash_rows(history::Value r, const CrashFindings& found) {
  history::Value table = r.get("invariants") ? *r.get("invariants") : history::Value::vector();
  history::Value anomalies = r.get("anomalies") ? *r.get("anomalies") : history::Value::vector();
  auto row = [&](const std::string& name, const std::string& status, size_t checks,
                 const std::vector<std::string>& violations) {
    history::Value m = history::Value::array_map();
    m.set("name", history::Value(name));
    m.set("status", history::Value(status));
    m.set("checks", history::Value(static_cast<int64_t>(checks)));
    table.push(std::move(m));
    for (const auto& v : violations) anomalies.push(history::Value(name + " — " + v));
  };
  const bool checkpoints_ok = found.lost_checkpoints.empty();
  const bool ledger_ok = found.lost_ledger.empty();
  row("Acknowledged checkpoints survive crashes", checkpoints_ok ? "PASS" : "FAIL", found.acked_checked,
      found.lost_checkpoints);
  row("Done-ledger survives crashes", ledger_ok ? "PASS" : "FAIL", found.ledger_checked, found.lost_ledger);
  row("Worker SIGKILLs (etcd kept running)", found.kills == 0 ? "UNKNOWN" : "DONE", found.kills, {});
  row("SIGKILLs mid-checkpoint", found.mid_checkpoint > 0 ? "PASS" : "UNKNOWN", found.mid_checkpoint, {});
  for (const auto& e : found.read_errors) anomalies.push(history::Value("Crash checks read-back — " + e));
  r.set("invariants", std::move(table));
  r.set("anomalies", std::move(anomalies));
  r.set("kills", history::Value(static_cast<int64_t>(found.kills)));
  r.set("kills-mid-checkpoint", history::Value(static_cast<int64_t>(found.mid_checkpoint)));
  r.set("kills-mid-complete", history::Value(static_cast<int64_t>(found.mid_complete)));
  r.set("kills-mid-other-request", history::Value(static_cast<int64_t>(found.mid_other)));
  r.set("acked-checkpoints-checked", history::Value(static_cast<int64_t>(found.acked_checked)));
  const history::Value* v = r.get("valid?");
  const bool inner_false = v && v->kind() == history::Value::Kind::kBool && !v->as_bool();
  const bool inner_true = v && v->kind() == history::Value::Kind::kBool && v->as_bool();
  if (inner_false || !checkpoints_ok || !ledger_ok) {
    r.set("valid?", history::Value(false));
  } else if (!inner_true || !found.read_errors.empty() || found.mid_checkpoint == 0) {
    r.set("valid?", history::Value::keyword("unknown"));
    if (inner_true)
      r.set("reason", history::Value(found.read_errors.empty()
                                         ? "no SIGKILL landed mid-checkpoint: the run did not test crash recovery"
                                         : "the crash checks could not read everything back"));
  }
  r.set("checker", history::Value(std::string(r.get("checker") ? r.get("checker")->as_string() : "") +
                                  "; crash checks: killed incarnations' traces against the shard records "
                                  "afterwards, the done-ledger at each kill's revision against the end"));
  return r;
}

}  // namespace squall::cluster_shard
