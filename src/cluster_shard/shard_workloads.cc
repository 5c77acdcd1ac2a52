#include "cluster_shard/shard_workloads.h"

#include <algorithm>

#include "cluster_shard/concurrent_acquisition.h"
#include "cluster_shard/crash_recovery.h"
#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/gossip_worker_db.h"
#include "cluster_shard/lease_exclusivity.h"
#include "cluster_shard/shard_acquisition.h"
#include "cluster_shard/split_correctness.h"
#include "core/assert.h"

namespace squall::cluster_shard {

void apply_workload_defaults(ShardOptions* o, const ShardFlagsGiven& given, double time_limit_s, int concurrency,
                             int nodes) {
  const bool driven = controlled(*o);
  if (o->workload == "checkpoint-fence") o->stall_one_in = 2;
  const bool acquisition = o->workload == "shard-acquisition";
  // shard-acquisition checkpoints a fresh cursor per op: its shards need room for a
  // long run (controlled workers never scan, so a big corpus costs nothing).
  if (!given.items)
    o->items = acquisition ? 1'000'000
               : driven    ? 1000
                           : static_cast<uint32_t>(std::clamp(time_limit_s * 250.0, 1000.0, 500'000.0));
  // Autonomous workers: 250 items per second of the time limit. Five members and their
  // workers under the combined nemesis on this 2-core host scan about 200-450 a second
  // (faults degrade the cluster half of the time); 500 a second left a 300 s five-node
  // run half done.
  // Few shards, so that clients contend; shard-acquisition keeps 6 that are never
  // completed and 2 that may be (shard_acquisition.h).
  if (!given.roots && driven) o->roots = acquisition ? 8 : 2;
  // Leases that turn over within a short run; the clients' own clock decides expiry,
  // so a loaded host does not make them run out early.
  if (!given.lease_ms && acquisition) o->lease_ms = 1000;
  // concurrent-acquisition: leases turn over often, so that the race for them is run many times.
  if (!given.lease_ms && o->workload == "concurrent-acquisition") o->lease_ms = 1000;
  if (driven || given.concurrency) o->workers_per_node = (concurrency + nodes - 1) / nodes;
}

std::unique_ptr<cluster::ClusterWorkload> make_shard_workload(const ShardOptions& o, int concurrency, uint64_t seed) {
  SQ_ASSERT(is_shard_workload(o.workload));
  if (o.workload == "lease-exclusivity" || o.workload == "checkpoint-fence")
    return make_lease_exclusivity(o, concurrency, seed);
  if (o.workload == "shard-acquisition") return make_shard_acquisition(o, concurrency, seed);
  if (o.workload == "concurrent-acquisition") return make_concurrent_acquisition(o, concurrency, seed);
  if (o.workload == "split-correctness") return make_split_correctness(o, concurrency, seed);
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
