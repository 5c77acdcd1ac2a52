#include "cluster_shard/lease_exclusivity.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "cluster/etcd_workloads.h"
#include "cluster_shard/controlled_client.h"
#include "cluster_shard/shard_findings.h"
#include "history/value_json.h"
#include "worker/corpus.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {
namespace {

class LeaseExclusivity final : public ControlledWorkload {
 public:
  LeaseExclusivity(ShardOptions o, int concurrency, uint64_t seed)
      : ControlledWorkload(std::move(o), concurrency, seed), cursors_(o_.roots + 1) {}

  history::Value check(const workload::History& history) override { return check_gated_writes(history, o_.lease_ms); }

 private:
  // One control API call recorded as an invocation and its completion; an ok grant or
  // renewal adds its fence and deadline to the completion.
  static ControlAnswer call(ClientThread& c, const std::string& f, const std::string& line,
                            const history::Value& invoke_value) {
    return c.call(f, line, invoke_value, [](const ControlAnswer& a, history::Value* v) {
      v->set("fence", history::Value(static_cast<int64_t>(a.result.fence)));
      v->set("deadline-ms", history::Value(a.result.deadline_ms));
    });
  }

  void client_loop(ClientThread& c, const std::atomic<bool>& stop) override {
    std::mt19937_64& rng = c.rng;
    while (!stop.load()) {
      const uint64_t shard = 1 + rng() % o_.roots;
      history::Value v = history::Value::array_map();
      v.set("shard", history::Value(static_cast<int64_t>(shard)));
      ControlAnswer got =
          call(c, "acquire", fmt::format(R"({{"op_id":{},"type":"acquire","shard":{}}})", c.next_op_id(), shard), v);
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
        ControlAnswer a;
        if (j % 2 == 0 && next < hi) {
          const std::string cursor = worker::Corpus::key_of(next);
          w.set("cursor", history::Value(cursor));
          a = call(c, "checkpoint",
                   fmt::format(R"({{"op_id":{},"type":"checkpoint","shard":{},"fence":{},"cursor":"{}"}})",
                               c.next_op_id(), shard, fence, cursor),
                   w);
        } else {
          a = call(c, "renew",
                   fmt::format(R"({{"op_id":{},"type":"renew","shard":{},"fence":{}}})", c.next_op_id(), shard, fence),
                   w);
        }
        if (a.type != workload::OpType::kOk) break;
      }
    }
  }

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
      definite.push_back({{op.process, int_field(inv, "shard"), int_field(inv, "fence")},
                          op.time_ns,
                          i,
                          static_cast<size_t>(done[i]),
                          end.type == workload::OpType::kOk});
    }
    if (end.type != workload::OpType::kOk) continue;
    const history::Value v = history::parse_json_value(end.value);
    if (op.f != "checkpoint")
      confirmed[{op.process, int_field(v, "shard"), int_field(v, "fence")}].push_back(end.time_ns);
    Event e{gated,
            int_field(v, "fence"),
            op.f == "checkpoint" ? -1 : int_field(v, "deadline-ms"),
            op.time_ns,
            end.time_ns,
            i,
            static_cast<size_t>(done[i]),
            op.process};
    by_shard[int_field(v, "shard")].push_back(e);
  }
  int64_t writes = 0, grants = 0;
  ShardFindings found;
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
      found.add(line,
                {static_cast<int64_t>(newer->complete_at), static_cast<int64_t>(e.invoke_at),
                 static_cast<int64_t>(e.complete_at)},
                static_cast<int64_t>(e.complete_at),
                e.gated ? fmt::format("accepted under stale fence {}", e.fence)
                        : fmt::format("fence {} granted out of order", e.fence));
    }
  }
  // The last two rows compare lease deadlines, which the workers computed on their own
  // clocks, with one another and with the harness's clock. Once the clock-skew nemesis
  // has moved a worker's clock that comparison says nothing about the system (a lease
  // timed by a skewed clock may overlap in real time: that is what fencing is for, and
  // the first two rows still hold it to account), so they are reported as skipped.
  bool skewed = false;
  for (const workload::Op& op : h) skewed = skewed || (op.process == workload::kNemesisProcess && op.f == "bump-clock");
  // Leases held at once: a grant whose start (its deadline less one lease, on the
  // workers' shared clock) lies before the deadline another client had been told of
  // (by an acquire or renew that completed before the grant began) under an older fence.
  bool disjoint = true;
  int64_t leases = 0;
  for (auto& [shard, events] : by_shard) {
    if (skewed) break;
    for (const Event& b : events) {
      if (b.gated || b.deadline_ms < 0) continue;
      ++leases;
      const int64_t granted_ms = b.deadline_ms - lease_ms;
      for (const Event& a : events) {
        if (a.deadline_ms < 0 || a.process == b.process || a.fence >= b.fence || a.complete_ns >= b.invoke_ns ||
            a.deadline_ms <= granted_ms)
          continue;
        disjoint = false;
        found.add(fmt::format("shard {}: p{} was granted fence {} {} ms before p{}'s lease (fence {}) ran out", shard,
                              b.process, b.fence, a.deadline_ms - granted_ms, a.process, a.fence),
                  {static_cast<int64_t>(a.complete_at), static_cast<int64_t>(b.complete_at)},
                  static_cast<int64_t>(b.complete_at), fmt::format("granted while p{}'s lease was live", a.process));
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
    if (skewed) break;
    auto it = confirmed.find(w.lease);
    if (it == confirmed.end()) continue;
    auto at = std::lower_bound(it->second.begin(), it->second.end(), w.invoke_ns);
    if (at == it->second.begin()) continue;
    const int64_t since = w.invoke_ns - *(at - 1);
    if (since <= lease_ms * 1'000'000 + kMarginNs) continue;
    ++late;
    if (!w.accepted) continue;
    expiry = false;
    found.add(fmt::format("shard {}: p{}'s {} under fence {} was accepted {} ms after its lease "
                          "was last confirmed (the lease is {} ms)",
                          std::get<1>(w.lease), std::get<0>(w.lease), h[w.invoke_at].f, std::get<2>(w.lease),
                          since / 1'000'000, lease_ms),
              {static_cast<int64_t>(w.invoke_at), static_cast<int64_t>(w.complete_at)},
              static_cast<int64_t>(w.complete_at), "accepted after its lease ran out");
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
  table.push(invariant_row("Lease exclusivity (gated writes)", pass_fail(exclusive), writes));
  table.push(invariant_row("Fence monotonicity (grants)", pass_fail(monotonic), grants));
  table.push(skewed ? invariant_row("Leases disjoint in time (grants)", "SKIPPED", leases)
                    : invariant_row("Leases disjoint in time (grants)", pass_fail(disjoint), leases));
  table.push(skewed ? invariant_row("Expired leases refuse writes", "SKIPPED", late)
                    : invariant_row("Expired leases refuse writes", pass_fail(expiry), late));
  if (skewed) {
    r.set("note", history::Value("clocks were skewed (bump-clock): the rows on lease deadlines are skipped; "
                                 "fencing is still checked"));
  }
  table.push(invariant_row("Stale writes refused (info)", pass_fail(true), refused));
  found.write(std::move(table), &r);
  r.set("accepted-writes", history::Value(writes));
  r.set("grants", history::Value(grants));
  r.set("stale-writes-refused", history::Value(refused));
  return r;
}

}  // namespace squall::cluster_shard
