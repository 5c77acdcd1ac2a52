#include "cluster_shard/controlled_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "cluster/etcd_workloads.h"
#include "history/value_json.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {

ControlAnswer ask(ControlClient& c, const std::string& line) {
  bool sent = false;
  auto r = c.call(line, &sent);
  ControlAnswer a;
  std::optional<coord::Reply> reply;
  if (r.ok()) reply = worker_driver::decode_reply(*r);
  if (!r.ok()) {
    // Nothing written: the worker never saw it. Written: it may have been applied.
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
    a.code = coord::to_string(reply->error().code);
    a.error = fmt::format("[:{}]", a.code);
  }
  return a;
}

void add_result_fields(const ControlAnswer& ok, history::Value* v) {
  if (!v->is_map() || v->get("shard") == nullptr)
    v->set("shard", history::Value(static_cast<int64_t>(ok.result.shard)));
  v->set("fence", history::Value(static_cast<int64_t>(ok.result.fence)));
  v->set("deadline-ms", history::Value(ok.result.deadline_ms));
  if (!ok.result.spawned.empty()) {
    history::Value ids = history::Value::vector();
    for (coord::ShardId s : ok.result.spawned) ids.push(history::Value(static_cast<int64_t>(s)));
    v->set("spawned", std::move(ids));
  }
}

ControlAnswer recorded_call(const CallSite& site, const std::string& f, const std::string& line,
                            const history::Value& inputs, const ResultFields& fields) {
  workload::Op op;
  op.f = f;
  op.process = site.process;
  op.node = site.node;
  op.value = history::to_json(inputs);
  (*site.record)(op);
  ControlAnswer a = ask(*site.control, line);
  op.type = a.type;
  op.error = a.error;
  history::Value v = inputs;
  if (a.type == workload::OpType::kOk && fields) fields(a, &v);
  op.value = history::to_json(v);
  (*site.record)(op);
  return a;
}

Status ControlledWorkload::run(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
                               const std::function<void(workload::Op)>& record) {
  cluster::run_client_threads(nodes, concurrency_, [&](int t, cluster::Node& node) {
    const int k = t / static_cast<int>(nodes.size());
    const uint64_t worker = node.index * static_cast<uint64_t>(o_.workers_per_node) + static_cast<uint64_t>(k) + 1;
    ClientThread c(t, node, worker, static_cast<uint16_t>(o_.control_port + k), o_.op_timeout_ms, seed_, record);
    client_loop(c, stop);
  });
  return {};
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

}  // namespace squall::cluster_shard
