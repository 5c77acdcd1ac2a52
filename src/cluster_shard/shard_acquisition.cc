#include "cluster_shard/shard_acquisition.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "cluster/etcd_workloads.h"
#include "cluster_shard/controlled_client.h"
#include "cluster_shard/shard_findings.h"
#include "core/assert.h"
#include "history/edn.h"
#include "history/value_json.h"
#include "model/model.h"
#include "worker/corpus.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {
namespace {

constexpr uint64_t kCheckTimeoutMs = 120'000;
constexpr uint64_t kCheckMemoryBytes = 4ull << 30;

// Roots above this many are the ones clients may complete: the run keeps shards to
// contend for to the end, and complete (terminal, irreversible) is still exercised.
constexpr uint64_t kNeverCompleted = 6;

// The coordinator's clock of every request: one steady clock for all clients, in ms.
int64_t coordinator_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class ShardAcquisition final : public ControlledWorkload {
 public:
  ShardAcquisition(ShardOptions o, int concurrency, uint64_t seed)
      : ControlledWorkload(std::move(o), concurrency, seed), cursors_(o_.roots + 1) {}

  history::Value check(const workload::History& history) override { return check_shard_acquisition(history); }

 private:
  // One control API call recorded as an invocation and its completion. `fields` are
  // the request's own JSON members after op_id, type and shard; `inputs` the same as
  // the history records them, to which the acting worker, now, the lease and (for the
  // op-logged kinds) the op id are added.
  ControlAnswer call(ClientThread& c, const std::string& f, uint64_t shard, const std::string& fields,
                     history::Value inputs) {
    const uint64_t op_id = c.next_op_id();
    const int64_t now = coordinator_now_ms();
    inputs.set("shard", history::Value(static_cast<int64_t>(shard)));
    inputs.set("worker", history::Value(static_cast<int64_t>(c.worker)));
    inputs.set("now", history::Value(now));
    inputs.set("lease-ms", history::Value(o_.lease_ms));
    if (f != "acquire" && f != "renew") inputs.set("op-id", history::Value(static_cast<int64_t>(op_id)));
    const std::string line =
        fmt::format(R"({{"op_id":{},"type":"{}","shard":{}{},"now_ms":{}}})", op_id, f, shard, fields, now);
    ControlAnswer a = c.call(f, line, inputs, [&f](const ControlAnswer& ok, history::Value* v) {
      if (f == "acquire" || f == "renew" || f == "unpark")
        v->set("fence", history::Value(static_cast<int64_t>(ok.result.fence)));
      if (f == "acquire" || f == "renew") v->set("deadline-ms", history::Value(ok.result.deadline_ms));
    });
    // A new process after each indeterminate op, as the checker requires.
    if (a.type == workload::OpType::kInfo) c.process += concurrency_;
    return a;
  }

  // A cursor inside the shard's range: mostly the next one handed out for the shard,
  // now and then one already passed (a regression the coordinator must refuse).
  std::string next_cursor(ClientThread& c, uint64_t shard) {
    // Root i of n spans items [(i-1)·items/n, i·items/n) (worker::Corpus::root_ranges).
    const auto lo = static_cast<uint32_t>((shard - 1) * o_.items / o_.roots);
    const auto hi = static_cast<uint32_t>(shard * o_.items / o_.roots);
    uint32_t step = cursors_[shard].fetch_add(1) + 1;
    if (c.rng() % 10 == 0 && step > 2) step -= 2;
    return worker::Corpus::key_of(std::min(lo + step, hi > lo + 1 ? hi - 1 : lo));
  }

  // One renew or checkpoint under the lease; false once the lease is known lost.
  bool gated(ClientThread& c, uint64_t shard, uint64_t fence) {
    // Now and then a fence older than the one held: a zombie's write.
    const uint64_t presented = fence > 1 && c.rng() % 20 == 0 ? fence - 1 : fence;
    history::Value in = history::Value::array_map();
    in.set("fence", history::Value(static_cast<int64_t>(presented)));
    const std::string token = fmt::format(R"(,"fence":{})", presented);
    ControlAnswer a;
    if (c.rng() % 2 == 0) {
      a = call(c, "renew", shard, token, in);
    } else {
      const std::string cursor = next_cursor(c, shard);
      in.set("cursor", history::Value(cursor));
      a = call(c, "checkpoint", shard, fmt::format(R"({},"cursor":"{}")", token, cursor), in);
    }
    return !(a.type == workload::OpType::kFail && presented == fence &&
             (a.code == "StaleFence" || a.code == "LeaseExpired" || a.code == "ShardTerminal"));
  }

  // Gives the shard up: park it (a release: it waits for an unpark), complete it (only
  // shards above kNeverCompleted), or walk away and let the lease run out.
  void release(ClientThread& c, uint64_t shard, uint64_t fence) {
    history::Value in = history::Value::array_map();
    in.set("fence", history::Value(static_cast<int64_t>(fence)));
    const std::string token = fmt::format(R"(,"fence":{})", fence);
    const uint64_t roll = c.rng() % 100;
    if (roll < 25) {
      in.set("reason", history::Value("released"));
      call(c, "park", shard, token + R"(,"reason":"released")", in);
    } else if (roll < 30 && shard > kNeverCompleted) {
      in.set("cursor", history::Value(""));
      call(c, "complete", shard, token, in);
    }
  }

  void client_loop(ClientThread& c, const std::atomic<bool>& stop) override {
    std::vector<bool> parked(o_.roots + 1, false);  // an acquire was refused as terminal
    while (!stop.load()) {
      const uint64_t shard = 1 + c.rng() % o_.roots;
      if (parked[shard] && c.rng() % 2 == 0) {
        ControlAnswer u = call(c, "unpark", shard, "", history::Value::array_map());
        if (u.type == workload::OpType::kFail) parked[shard] = false;
      }
      ControlAnswer a = call(c, "acquire", shard, "", history::Value::array_map());
      parked[shard] = a.code == "ShardTerminal";
      if (a.type == workload::OpType::kOk) {
        const uint64_t fence = a.result.fence;
        bool held = true;
        for (uint64_t j = 2 + c.rng() % 7; held && j > 0 && !stop.load(); --j) held = gated(c, shard, fence);
        if (held && !stop.load()) release(c, shard, fence);
      }
      if (!nap(static_cast<int64_t>(c.rng() % 30), stop)) return;
    }
  }

  std::vector<std::atomic<uint32_t>> cursors_;  // per shard: cursor steps handed out
};

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_shard_acquisition(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed) {
  return std::make_unique<ShardAcquisition>(options, concurrency, seed);
}

Result<history::History> shard_lease_history(const workload::History& recorded, std::vector<size_t>* index_of) {
  history::History h;
  index_of->clear();
  for (size_t i = 0; i < recorded.size(); ++i) {
    const workload::Op& r = recorded[i];
    if (r.process == workload::kNemesisProcess) continue;
    history::Value v = history::parse_json_value(r.value);
    const history::Value* shard = v.is_map() ? v.get("shard") : nullptr;
    if (!shard || !shard->is_int())
      return err(fmt::format("op {} ({} by p{}) has no integer :shard in {}", i, r.f, r.process, r.value));
    history::Op op;
    op.type = r.type;
    op.process = r.process;
    op.f = r.f;
    op.key = *shard;
    op.time_ns = r.time_ns;
    op.value = history::Value::array_map();
    for (const auto& [k, x] : v.entries())
      if (!(k.is_keyword() && k.as_string() == "shard")) op.value.set(k, x);
    if (auto s = h.append(std::move(op)); !s) return err(fmt::format("op {}: {}", i, s.error()));
    index_of->push_back(i);
  }
  return h;
}

history::Value check_shard_acquisition(const workload::History& recorded) {
  history::Value r = history::Value::array_map();
  r.set("checker", history::Value("linearizability: shard-lease per shard (squall check's engine)"));
  std::vector<size_t> index_of;
  auto h = shard_lease_history(recorded, &index_of);
  auto model = model::make_model("shard-lease");
  std::optional<Result<checker::LinearizabilityResult>> lin;
  if (h.ok() && model.ok()) {
    checker::CheckOptions opt;
    opt.timeout_ms = kCheckTimeoutMs;
    opt.memory_limit_bytes = kCheckMemoryBytes;
    lin = checker::check_linearizable(*h, **model, opt);
  }
  const std::string refused = !h.ok()       ? "the history could not be read: " + h.error()
                              : !model.ok() ? model.error()
                              : !lin->ok()  ? "the checker refused the history: " + lin->error()
                                            : "";
  if (!refused.empty()) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value(refused));
    return r;
  }
  const checker::LinearizabilityResult& res = **lin;
  int64_t ok = 0, fail = 0, info = 0, grants = 0;
  for (const auto& call : h->calls()) {
    switch (call.outcome) {
      case history::OpType::kOk:
        ++ok;
        grants += (*h)[call.invoke].f == "acquire";
        break;
      case history::OpType::kFail: ++fail; break;
      default: ++info; break;
    }
  }
  ShardFindings found;
  for (const auto& k : res.keys) {
    if (k.verdict == Verdict::kValid) continue;
    const std::string shard = k.key ? history::to_edn(*k.key) : "?";
    if (k.verdict == Verdict::kUnknown) {
      found.add_line(fmt::format("shard {}: linearizability unknown: {}", shard, k.reason));
      continue;
    }
    std::string line = fmt::format("shard {} is not linearizable against the shard-lease model", shard);
    if (!k.explanation) {
      found.add_line(line);
      continue;
    }
    // The op that cannot be linearized, after the last two of the longest prefix that can.
    const checker::Explanation& x = *k.explanation;
    const size_t at = x.failing_op;
    line += ": cannot linearize " + checker::describe_call(*h, at);
    if (!x.states.empty()) line += " from state " + x.states.front();
    std::vector<int64_t> ops;
    for (size_t p = x.prefix.size() > 2 ? x.prefix.size() - 2 : 0; p < x.prefix.size(); ++p)
      ops.push_back(static_cast<int64_t>(index_of[x.prefix[p]]));
    ops.push_back(static_cast<int64_t>(index_of[at]));
    found.add(line, ops, static_cast<int64_t>(index_of[at]), fmt::format("cannot be linearized on shard {}", shard));
  }
  if (res.verdict == Verdict::kInvalid) {
    r.set("valid?", history::Value(false));
  } else if (grants == 0) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value("no acquire was granted: nothing was checked"));
  } else if (res.verdict == Verdict::kUnknown) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value("the linearizability search ran out of its budget"));
  } else {
    r.set("valid?", history::Value(true));
  }
  const char* status = res.verdict == Verdict::kValid ? "PASS" : res.verdict == Verdict::kInvalid ? "FAIL" : "UNKNOWN";
  history::Value table = history::Value::vector();
  table.push(invariant_row("Linearizable against the coordination model (shard-lease, per shard)", status, ok + info));
  table.push(invariant_row("Shards checked", status, static_cast<int64_t>(res.keys_total)));
  found.write(std::move(table), &r);
  r.set("ok-ops", history::Value(ok));
  r.set("failed-ops", history::Value(fail));
  r.set("indeterminate-ops", history::Value(info));
  r.set("grants", history::Value(grants));
  return r;
}

}  // namespace squall::cluster_shard
