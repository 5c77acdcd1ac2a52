#include "cluster/set_history.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <map>
#include <set>

#include "cluster/etcd_workloads.h"
#include "history/edn.h"

namespace squall::cluster {

namespace {
constexpr size_t kListedMax = 20;
constexpr size_t kShownAddsMax = 6;

std::string listed(const history::Value* v) {
  std::string s;
  size_t n = 0;
  for (const auto& e : v->items()) {
    if (n++ == kListedMax) {
      s += fmt::format(" … ({} in all)", v->items().size());
      break;
    }
    s += (s.empty() ? "" : " ") + history::to_edn(e);
  }
  return s;
}
}  // namespace

void final_read(EtcdSession& s, const std::string& key) {
  s.set_final();
  s.invoke("read", "null");
  etcd::RangeRequest rr;
  rr.key = key;
  auto got = s.client().range(rr, s.deadline());
  if (!got.ok()) {
    s.fail("null", error_edn(got.error()));
    return;
  }
  std::vector<int64_t> elements;
  if (!got->kvs.empty()) {
    auto dec = decode_int_set(got->kvs[0].value);
    if (!dec.ok()) {
      s.fail("null", fmt::format("[:malformed {}]", quoted(dec.error())));
      return;
    }
    elements = std::move(*dec);
  }
  s.ok("[" + encode_int_set(elements) + "]");
}

checker::SetFullHistory set_full_history(const workload::History& h, const std::string& add_f) {
  checker::SetFullHistory out;
  std::map<int64_t, size_t> pending_add;    // process -> index into out.adds
  std::map<int64_t, int64_t> pending_read;  // process -> invoke time
  for (const workload::Op& op : h) {
    if (op.process == workload::kNemesisProcess) continue;
    if (op.f == add_f) {
      if (op.type == workload::OpType::kInvoke) {
        pending_add[op.process] = out.adds.size();
        out.adds.push_back(checker::SetAdd{op.value, false, 0});
      } else if (auto it = pending_add.find(op.process); it != pending_add.end()) {
        if (op.type == workload::OpType::kOk) {
          out.adds[it->second].acknowledged = true;
          out.adds[it->second].complete_ns = op.time_ns;
        }
        pending_add.erase(it);
      }
    } else if (op.f == "read") {
      if (op.type == workload::OpType::kInvoke) {
        pending_read[op.process] = op.time_ns;
      } else if (auto it = pending_read.find(op.process); it != pending_read.end()) {
        if (op.type == workload::OpType::kOk) {
          checker::SetRead r;
          r.invoke_ns = it->second;
          r.complete_ns = op.time_ns;
          r.node = op.node;
          r.final = op.final;
          rapidjson::Document d;
          d.Parse(op.value.data(), op.value.size());
          if (!d.HasParseError() && d.IsArray()) {
            for (const auto& e : d.GetArray()) {
              if (e.IsInt64()) r.elements.push_back(std::to_string(e.GetInt64()));
            }
          }
          out.reads.push_back(std::move(r));
        }
        pending_read.erase(it);
      }
    }
  }
  return out;
}

void add_set_anomalies(const workload::History& h, const std::string& add_f, history::Value* r) {
  history::Value anomalies = history::Value::vector();
  history::Value ops = history::Value::vector();
  const history::Value* lost = r->get("lost");
  if (lost && !lost->items().empty()) {
    anomalies.push(fmt::format("{} acknowledged element(s) lost (absent from the final reads): {}",
                               lost->items().size(), listed(lost)));
    std::set<std::string> wanted;
    for (const auto& e : lost->items()) {
      if (wanted.size() < kShownAddsMax) wanted.insert(history::to_edn(e));
    }
    std::map<int64_t, std::string> open;  // process -> element of its pending add
    for (size_t i = 0; i < h.size(); ++i) {
      const workload::Op& op = h[i];
      if (op.process == workload::kNemesisProcess || op.f != add_f) continue;
      if (op.type == workload::OpType::kInvoke) open[op.process] = op.value;
      auto it = open.find(op.process);
      if (it == open.end() || !wanted.contains(it->second)) continue;
      ops.push(static_cast<int64_t>(i));
      if (op.type == workload::OpType::kOk && !r->get("violation-op")) {
        r->set("violation-op", static_cast<int64_t>(i));
        r->set("violation-note", "acknowledged, then lost");
      }
      if (op.type != workload::OpType::kInvoke) open.erase(it);
    }
  }
  const history::Value* unexpected = r->get("unexpected");
  if (unexpected && !unexpected->items().empty()) {
    anomalies.push(
        fmt::format("{} element(s) read that nobody added: {}", unexpected->items().size(), listed(unexpected)));
  }
  r->set("anomalies", std::move(anomalies));
  r->set("anomaly-ops", std::move(ops));
}

}  // namespace squall::cluster
