#include "cluster_shard/shard_workloads.h"

#include <algorithm>

#include "cluster_shard/crash_recovery.h"
#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/gossip_worker_db.h"
#include "cluster_shard/lease_exclusivity.h"
#include "core/assert.h"

namespace squall::cluster_shard {

void apply_workload_defaults(ShardOptions* o, const ShardFlagsGiven& given, double time_limit_s, int concurrency,
                             int nodes) {
  const bool driven = controlled(*o);
  if (o->workload == "checkpoint-fence") o->stall_one_in = 2;
  if (!given.items)
    o->items = driven ? 1000 : static_cast<uint32_t>(std::clamp(time_limit_s * 500.0, 1000.0, 500'000.0));
  if (!given.roots && driven) o->roots = 2;
  if (driven) o->workers_per_node = (concurrency + nodes - 1) / nodes;
}

std::unique_ptr<cluster::ClusterWorkload> make_shard_workload(const ShardOptions& o, int concurrency, uint64_t seed) {
  SQ_ASSERT(is_shard_workload(o.workload));
  if (o.workload == "lease-exclusivity" || o.workload == "checkpoint-fence")
    return make_lease_exclusivity(o, concurrency, seed);
  if (o.workload == "crash-recovery") return make_crash_recovery(o, seed);
  return make_full_lifecycle(o);
}

std::unique_ptr<cluster::Db> make_shard_db(cluster::EtcdOptions etcd, const ShardOptions& o,
                                           cluster::ClusterWorkload* workload) {
  auto db = gossip_worker_db(std::move(etcd), o);
  attach_worker_processes(workload, worker_processes_of(db.get()));
  return db;
}

int run_concurrency(const ShardOptions& o, int concurrency, int nodes) { return controlled(o) ? concurrency : nodes; }

}  // namespace squall::cluster_shard
