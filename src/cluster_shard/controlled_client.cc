#include "cluster_shard/controlled_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "history/value_json.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {

ControlAnswer recorded_call(ControlClient& c, int t, const std::string& node, const std::string& f,
                            const std::string& line, const history::Value& invoke_value,
                            const std::function<void(workload::Op)>& record) {
  workload::Op op;
  op.f = f;
  op.process = t;
  op.node = node;
  op.value = history::to_json(invoke_value);
  record(op);
  bool sent = false;
  auto r = c.call(line, &sent);
  ControlAnswer a;
  std::optional<coord::Reply> reply;
  if (r.ok()) reply = worker_driver::decode_reply(*r);
  if (!r.ok()) {
    a.type = sent ? workload::OpType::kInfo : workload::OpType::kFail;
    a.error = sent ? "[:timeout]" : "[:unreachable]";
  } else if (!reply) {
    a.error = "[:bad-answer]";
  } else if (reply->ok()) {
    a.type = workload::OpType::kOk;
    a.result = reply->value();
  } else if (reply->error().code == coord::CoordErrc::Indeterminate) {
    a.error = "[:indeterminate]";
  } else {
    a.type = workload::OpType::kFail;
    a.error = fmt::format("[:{}]", coord::to_string(reply->error().code));
  }
  op.type = a.type;
  op.error = a.error;
  history::Value v = invoke_value;
  if (a.type == workload::OpType::kOk) {
    if (!v.is_map() || v.get("shard") == nullptr) v.set("shard", history::Value(static_cast<int64_t>(a.result.shard)));
    v.set("fence", history::Value(static_cast<int64_t>(a.result.fence)));
    v.set("deadline-ms", history::Value(a.result.deadline_ms));
    if (!a.result.spawned.empty()) {
      history::Value ids = history::Value::vector();
      for (coord::ShardId s : a.result.spawned) ids.push(history::Value(static_cast<int64_t>(s)));
      v.set("spawned", std::move(ids));
    }
  }
  op.value = history::to_json(v);
  record(op);
  return a;
}

bool nap(int64_t ms, const std::atomic<bool>& stop) {
  for (int64_t slept = 0; slept < ms; slept += 20) {
    if (stop.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(20, ms - slept)));
  }
  return !stop.load();
}

uint32_t key_index(const std::string& key, uint32_t dflt) {
  if (key.size() < 2) return dflt;
  uint32_t v = dflt;
  auto r = std::from_chars(key.data() + 1, key.data() + key.size(), v);
  return r.ec == std::errc() ? v : dflt;
}

int64_t int_field(const history::Value& m, const char* k) {
  const history::Value* v = m.is_map() ? m.get(k) : nullptr;
  return v && v->is_int() ? v->as_int() : -1;
}

history::Value invariant_row(const std::string& name, bool pass, int64_t checks) {
  history::Value m = history::Value::array_map();
  m.set("name", history::Value(name));
  m.set("status", history::Value(pass ? "PASS" : "FAIL"));
  m.set("checks", history::Value(checks));
  return m;
}

}  // namespace squall::cluster_shard
