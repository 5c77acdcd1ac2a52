#include "cluster_shard/concurrent_acquisition.h"

#include <map>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "cluster/etcd_workloads.h"
#include "cluster_shard/control_client.h"
#include "cluster_shard/controlled_client.h"
#include "cluster_shard/lease_exclusivity.h"
#include "cluster_shard/shard_findings.h"
#include "history/value_json.h"

namespace squall::cluster_shard {
namespace {

class ConcurrentAcquisition final : public ControlledWorkload {
 public:
  ConcurrentAcquisition(ShardOptions o, int concurrency, uint64_t seed)
      : ControlledWorkload(std::move(o), concurrency, seed) {}

  history::Value check(const workload::History& history) override {
    return check_concurrent_acquisition(history, o_.lease_ms);
  }

 private:
  void client_loop(ClientThread& c, const std::atomic<bool>& stop) override {
    std::mt19937_64& rng = c.rng;
    // Waits well inside the lease, so that an honest holder's renewals are on time.
    const int64_t hold_max = std::max<int64_t>(o_.lease_ms / 3, 1);
    while (!stop.load()) {
      const uint64_t shard = 1 + rng() % o_.roots;
      history::Value v = history::Value::array_map();
      v.set("shard", history::Value(static_cast<int64_t>(shard)));
      ControlAnswer got =
          c.call("acquire", fmt::format(R"({{"op_id":{},"type":"acquire","shard":{}}})", c.next_op_id(), shard), v);
      if (got.type != workload::OpType::kOk) {
        nap(10 + static_cast<int64_t>(rng() % 60), stop);
        continue;
      }
      const uint64_t fence = got.result.fence;
      const int renewals = static_cast<int>(rng() % 3);
      for (int j = 0; j < renewals; ++j) {
        if (!nap(static_cast<int64_t>(rng() % static_cast<uint64_t>(hold_max)), stop)) return;
        history::Value w = history::Value::array_map();
        w.set("shard", history::Value(static_cast<int64_t>(shard)));
        w.set("fence", history::Value(static_cast<int64_t>(fence)));
        ControlAnswer a = c.call(
            "renew",
            fmt::format(R"({{"op_id":{},"type":"renew","shard":{},"fence":{}}})", c.next_op_id(), shard, fence), w);
        if (a.type != workload::OpType::kOk) break;
      }
      // The lease lapses on its own while this client races for the next one.
      nap(static_cast<int64_t>(rng() % 100), stop);
    }
  }
};

struct Grant {
  int64_t process;
  size_t complete_at;
};

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_concurrent_acquisition(const ShardOptions& options, int concurrency,
                                                                      uint64_t seed) {
  return std::make_unique<ConcurrentAcquisition>(options, concurrency, seed);
}

history::Value check_concurrent_acquisition(const workload::History& h, int64_t lease_ms) {
  history::Value r = check_gated_writes(h, lease_ms);
  // One winner per fence: every granted acquire of a shard, by its fence.
  const std::vector<int64_t> done = workload::pair_completions(h);
  std::map<std::pair<int64_t, int64_t>, std::vector<Grant>> by_fence;
  int64_t grants = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.type != workload::OpType::kInvoke || op.f != "acquire" || done[i] < 0) continue;
    const workload::Op& end = h[static_cast<size_t>(done[i])];
    if (end.type != workload::OpType::kOk) continue;
    const history::Value v = history::parse_json_value(end.value);
    by_fence[{int_field(v, "shard"), int_field(v, "fence")}].push_back({op.process, static_cast<size_t>(done[i])});
    ++grants;
  }
  bool one_winner = true;
  ShardFindings findings = ShardFindings::resume(r);
  for (const auto& [key, winners] : by_fence) {
    if (winners.size() < 2) continue;
    one_winner = false;
    const Grant& a = winners[0];
    const Grant& b = winners[1];
    findings.add(fmt::format("shard {}: fence {} was granted {} times (p{} at op {}, p{} at op {})", key.first,
                             key.second, winners.size(), a.process, a.complete_at, b.process, b.complete_at),
                 {static_cast<int64_t>(a.complete_at), static_cast<int64_t>(b.complete_at)},
                 static_cast<int64_t>(b.complete_at), fmt::format("fence {} granted a second time", key.second));
  }
  history::Value table = history::Value::vector();
  table.push(invariant_row("One winner per fence", pass_fail(one_winner), grants));
  for (const history::Value& row : r.get("invariants")->items()) table.push(row);
  findings.write(std::move(table), &r);
  if (!one_winner) {
    r.set("valid?", history::Value(false));
    if (r.get("reason") != nullptr) r.set("reason", history::Value("a fence was granted twice"));
  }
  r.set("checker", history::Value("grants against fences: per shard one winner per fence, fences increasing in "
                                  "real-time order, no grant while another client's lease was live; renewals "
                                  "only under the newest fence and within the lease"));
  return r;
}

}  // namespace squall::cluster_shard
