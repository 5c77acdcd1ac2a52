#include "cluster_shard/lease_exclusivity.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "cluster/etcd_workloads.h"
#include "cluster_shard/control_client.h"
#include "cluster_shard/controlled_client.h"
#include "history/value_json.h"
#include "worker/corpus.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {
namespace {

constexpr size_t kAnomaliesMax = 10;

class LeaseExclusivity final : public cluster::ClusterWorkload {
 public:
  LeaseExclusivity(ShardOptions o, int concurrency, uint64_t seed)
      : o_(std::move(o)), concurrency_(concurrency), seed_(seed), cursors_(o_.roots + 1) {}

  std::string name() const override { return o_.workload; }

  Status run(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
             const std::function<void(workload::Op)>& record) override {
    cluster::run_client_threads(nodes, concurrency_, [&](int t, cluster::Node& node) {
      const int k = t / static_cast<int>(nodes.size());
      client_loop(t, node, static_cast<uint16_t>(o_.control_port + k), stop, record);
    });
    return {};
  }

  Status final_phase(const std::vector<cluster::Node*>&, const std::function<void(workload::Op)>&) override {
    return {};
  }

  history::Value check(const workload::History& history) override { return check_gated_writes(history, o_.lease_ms); }

 private:
  using Answer = ControlAnswer;

  static Answer call(ControlClient& c, int t, const std::string& node, const std::string& f, const std::string& line,
                     const history::Value& invoke_value, const std::function<void(workload::Op)>& record) {
    return recorded_call(c, t, node, f, line, invoke_value, record);
  }

  void client_loop(int t, cluster::Node& node, uint16_t port, const std::atomic<bool>& stop,
                   const std::function<void(workload::Op)>& record) {
    ControlClient c(node.address, port, o_.op_timeout_ms);
    std::mt19937_64 rng(seed_ * 1000003 + static_cast<uint64_t>(t));
    uint64_t seq = 0;
    auto op_id = [&] { return (static_cast<uint64_t>(t) + 1) << 32 | ++seq; };
    while (!stop.load()) {
      const uint64_t shard = 1 + rng() % o_.roots;
      history::Value v = history::Value::array_map();
      v.set("shard", history::Value(static_cast<int64_t>(shard)));
      Answer got = call(c, t, node.name, "acquire",
                        fmt::format(R"({{"op_id":{},"type":"acquire","shard":{}}})", op_id(), shard), v, record);
      if (got.type != workload::OpType::kOk) {
        nap(50 + static_cast<int64_t>(rng() % 100), stop);
        continue;
      }
      const uint64_t fence = got.result.fence;
      const uint32_t lo = key_index(got.result.spec.start, 0);
      const uint32_t hi = key_index(got.result.spec.end, o_.items);
      for (int j = 0; j < 4; ++j) {
        int64_t wait = static_cast<int64_t>(rng() % 200);
        if (o_.stall_one_in > 0 && rng() % static_cast<uint64_t>(o_.stall_one_in) == 0) wait += o_.lease_ms + 300;
        if (!nap(wait, stop)) return;
        history::Value w = history::Value::array_map();
        w.set("shard", history::Value(static_cast<int64_t>(shard)));
        w.set("fence", history::Value(static_cast<int64_t>(fence)));
        const uint32_t next = lo + cursors_[shard].fetch_add(1) + 1;
        Answer a;
        if (j % 2 == 0 && next < hi) {
          const std::string cursor = worker::Corpus::key_of(next);
          w.set("cursor", history::Value(cursor));
          a = call(c, t, node.name, "checkpoint",
                   fmt::format(R"({{"op_id":{},"type":"checkpoint","shard":{},"fence":{},"cursor":"{}"}})", op_id(),
                               shard, fence, cursor),
                   w, record);
        } else {
          a = call(c, t, node.name, "renew",
                   fmt::format(R"({{"op_id":{},"type":"renew","shard":{},"fence":{}}})", op_id(), shard, fence), w,
                   record);
        }
        if (a.type != workload::OpType::kOk) break;
      }
    }
  }

  ShardOptions o_;
  int concurrency_;
  uint64_t seed_;
  std::vector<std::atomic<uint32_t>> cursors_;  // per shard: checkpoints handed out
};

struct Event {
  bool gated = false;  // renew or checkpoint (else acquire)
  int64_t fence = 0;
  int64_t deadline_ms = -1;  // acquire and renew: the lease's deadline on the workers' clock
  int64_t invoke_ns = 0, complete_ns = 0;
  size_t invoke_at = 0, complete_at = 0;
  int64_t process = 0;
};

int64_t int_of(const history::Value& m, const char* k) { return int_field(m, k); }

history::Value row(const std::string& name, bool pass, int64_t checks) { return invariant_row(name, pass, checks); }

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_lease_exclusivity(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed) {
  return std::make_unique<LeaseExclusivity>(options, concurrency, seed);
}

history::Value check_gated_writes(const workload::History& h, int64_t lease_ms) {
  const std::vector<int64_t> done = workload::pair_completions(h);
  std::map<int64_t, std::vector<Event>> by_shard;
  int64_t refused = 0;
  // For the expiry check: when each (process, shard, fence) last had its lease
  // confirmed (an ok acquire or renew completed), and every definite gated write.
  std::map<std::tuple<int64_t, int64_t, int64_t>, std::vector<int64_t>> confirmed;
  struct Write {
    std::tuple<int64_t, int64_t, int64_t> lease;
    int64_t invoke_ns;
    size_t invoke_at, complete_at;
    bool accepted;
  };
  std::vector<Write> definite;
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.type != workload::OpType::kInvoke || op.process == workload::kNemesisProcess || done[i] < 0) continue;
    if (op.f != "acquire" && op.f != "renew" && op.f != "checkpoint") continue;
    const workload::Op& end = h[static_cast<size_t>(done[i])];
    const bool gated = op.f != "acquire";
    if (end.type == workload::OpType::kFail && gated &&
        (end.error.find("StaleFence") != std::string::npos || end.error.find("LeaseExpired") != std::string::npos))
      ++refused;
    if (gated && (end.type == workload::OpType::kOk || end.type == workload::OpType::kFail)) {
      const history::Value inv = history::parse_json_value(op.value);
      definite.push_back({{op.process, int_of(inv, "shard"), int_of(inv, "fence")},
                          op.time_ns,
                          i,
                          static_cast<size_t>(done[i]),
                          end.type == workload::OpType::kOk});
    }
    if (end.type != workload::OpType::kOk) continue;
    const history::Value v = history::parse_json_value(end.value);
    if (op.f != "checkpoint") confirmed[{op.process, int_of(v, "shard"), int_of(v, "fence")}].push_back(end.time_ns);
    Event e{gated,
            int_of(v, "fence"),
            op.f == "checkpoint" ? -1 : int_of(v, "deadline-ms"),
            op.time_ns,
            end.time_ns,
            i,
            static_cast<size_t>(done[i]),
            op.process};
    by_shard[int_of(v, "shard")].push_back(e);
  }
  int64_t writes = 0, grants = 0;
  history::Value anomalies = history::Value::vector();
  history::Value anomaly_ops = history::Value::vector();
  int64_t violation_op = -1;
  std::string note;
  bool exclusive = true, monotonic = true;
  for (auto& [shard, events] : by_shard) {
    // Completed before a given instant: the highest fence, and the op that showed it.
    std::vector<const Event*> by_end;
    for (const Event& e : events) by_end.push_back(&e);
    std::sort(by_end.begin(), by_end.end(),
              [](const Event* a, const Event* b) { return a->complete_ns < b->complete_ns; });
    std::vector<const Event*> best(by_end.size()), best_grant(by_end.size());
    for (size_t i = 0; i < by_end.size(); ++i) {
      best[i] = i == 0 || by_end[i]->fence > best[i - 1]->fence ? by_end[i] : best[i - 1];
      const Event* g = by_end[i]->gated ? nullptr : by_end[i];
      const Event* prev = i == 0 ? nullptr : best_grant[i - 1];
      best_grant[i] = !g ? prev : (!prev || g->fence > prev->fence ? g : prev);
    }
    for (const Event& e : events) {
      auto it = std::lower_bound(by_end.begin(), by_end.end(), e.invoke_ns,
                                 [](const Event* a, int64_t t) { return a->complete_ns < t; });
      if (it == by_end.begin()) {
        (e.gated ? writes : grants) += 1;
        continue;
      }
      const size_t before = static_cast<size_t>(it - by_end.begin()) - 1;
      const Event* newer = e.gated ? best[before] : best_grant[before];
      const bool bad = newer && (e.gated ? newer->fence > e.fence : newer->fence >= e.fence);
      (e.gated ? writes : grants) += 1;
      if (!bad) continue;
      (e.gated ? exclusive : monotonic) = false;
      std::string line =
          e.gated
              ? fmt::format(
                    "shard {}: p{}'s {} under fence {} was accepted, but fence {} had been in use (op {}) "
                    "before it began",
                    shard, e.process, h[e.invoke_at].f, e.fence, newer->fence, newer->complete_at)
              : fmt::format("shard {}: p{} was granted fence {}, not above fence {} granted before it began (op {})",
                            shard, e.process, e.fence, newer->fence, newer->complete_at);
      if (anomalies.size() < kAnomaliesMax) {
        anomalies.push(history::Value(line));
        anomaly_ops.push(history::Value(static_cast<int64_t>(newer->complete_at)));
        anomaly_ops.push(history::Value(static_cast<int64_t>(e.invoke_at)));
        anomaly_ops.push(history::Value(static_cast<int64_t>(e.complete_at)));
      }
      if (violation_op < 0) {
        violation_op = static_cast<int64_t>(e.complete_at);
        note = e.gated ? fmt::format("accepted under stale fence {}", e.fence)
                       : fmt::format("fence {} granted out of order", e.fence);
      }
    }
  }
  // Leases held at once: a grant whose start (its deadline less one lease, on the
  // workers' shared clock) lies before the deadline another client had been told of
  // (by an acquire or renew that completed before the grant began) under an older fence.
  bool disjoint = true;
  int64_t leases = 0;
  for (auto& [shard, events] : by_shard) {
    for (const Event& b : events) {
      if (b.gated || b.deadline_ms < 0) continue;
      ++leases;
      const int64_t granted_ms = b.deadline_ms - lease_ms;
      for (const Event& a : events) {
        if (a.deadline_ms < 0 || a.process == b.process || a.fence >= b.fence || a.complete_ns >= b.invoke_ns ||
            a.deadline_ms <= granted_ms)
          continue;
        disjoint = false;
        if (anomalies.size() < kAnomaliesMax) {
          anomalies.push(history::Value(
              fmt::format("shard {}: p{} was granted fence {} {} ms before p{}'s lease (fence {}) ran out", shard,
                          b.process, b.fence, a.deadline_ms - granted_ms, a.process, a.fence)));
          anomaly_ops.push(history::Value(static_cast<int64_t>(a.complete_at)));
          anomaly_ops.push(history::Value(static_cast<int64_t>(b.complete_at)));
        }
        if (violation_op < 0) {
          violation_op = static_cast<int64_t>(b.complete_at);
          note = fmt::format("granted while p{}'s lease was live", a.process);
        }
        break;
      }
    }
  }
  // Expired leases refuse writes: a gated write begun more than a lease (and a margin
  // for the two clocks) after its lease was last confirmed must not be accepted. The
  // lease ran out by then even if nobody else took the shard.
  constexpr int64_t kMarginNs = 100'000'000;
  bool expiry = true;
  int64_t late = 0;
  for (const Write& w : definite) {
    auto it = confirmed.find(w.lease);
    if (it == confirmed.end()) continue;
    auto at = std::lower_bound(it->second.begin(), it->second.end(), w.invoke_ns);
    if (at == it->second.begin()) continue;
    const int64_t since = w.invoke_ns - *(at - 1);
    if (since <= lease_ms * 1'000'000 + kMarginNs) continue;
    ++late;
    if (!w.accepted) continue;
    expiry = false;
    if (anomalies.size() < kAnomaliesMax) {
      anomalies.push(
          history::Value(fmt::format("shard {}: p{}'s {} under fence {} was accepted {} ms after its lease "
                                     "was last confirmed (the lease is {} ms)",
                                     std::get<1>(w.lease), std::get<0>(w.lease), h[w.invoke_at].f, std::get<2>(w.lease),
                                     since / 1'000'000, lease_ms)));
      anomaly_ops.push(history::Value(static_cast<int64_t>(w.invoke_at)));
      anomaly_ops.push(history::Value(static_cast<int64_t>(w.complete_at)));
    }
    if (violation_op < 0) {
      violation_op = static_cast<int64_t>(w.complete_at);
      note = "accepted after its lease ran out";
    }
  }
  history::Value r = history::Value::array_map();
  const bool valid = exclusive && monotonic && disjoint && expiry;
  if (!valid) {
    r.set("valid?", history::Value(false));
  } else if (grants == 0) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value("no acquire was granted: nothing was checked"));
  } else {
    r.set("valid?", history::Value(true));
  }
  r.set("checker", history::Value("gated writes against fences: per shard, no write under a fence older than one "
                                  "already granted or used before it began; grants' fences increase"));
  history::Value table = history::Value::vector();
  table.push(row("Lease exclusivity (gated writes)", exclusive, writes));
  table.push(row("Fence monotonicity (grants)", monotonic, grants));
  table.push(row("Leases disjoint in time (grants)", disjoint, leases));
  table.push(row("Expired leases refuse writes", expiry, late));
  history::Value refused_row = row("Stale writes refused (info)", true, refused);
  table.push(std::move(refused_row));
  r.set("invariants", std::move(table));
  r.set("anomalies", std::move(anomalies));
  r.set("anomaly-ops", std::move(anomaly_ops));
  if (violation_op >= 0) {
    r.set("violation-op", history::Value(violation_op));
    r.set("violation-note", history::Value(note));
  }
  r.set("accepted-writes", history::Value(writes));
  r.set("grants", history::Value(grants));
  r.set("stale-writes-refused", history::Value(refused));
  return r;
}

}  // namespace squall::cluster_shard
