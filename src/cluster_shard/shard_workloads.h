// The shard workloads of `squall cluster test` as one table: which exist, whether the
// harness drives the workers through their control API or only observes autonomous
// workers, the defaults each one needs, and the factory. `squall cluster` asks only
// this header, so a new shard workload is one row here and its own file. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cluster/cluster_workload.h"
#include "cluster/db.h"
#include "cluster/etcd_db.h"
#include "cluster_shard/shard_options.h"

namespace squall::cluster_shard {

// What the command line gave explicitly; everything else takes the workload's default.
struct ShardFlagsGiven {
  bool items = false;
  bool roots = false;
  bool lease_ms = false;
  bool concurrency = false;
};

// Fills in the defaults of o->workload that depend on the run: the corpus size from
// the time limit, few roots for contention, one worker per client thread for the
// controlled workloads, and as many autonomous workers as --concurrency asks for (spread
// over the nodes; one per node when it is not given).
void apply_workload_defaults(ShardOptions* o, const ShardFlagsGiven& given, double time_limit_s, int concurrency,
                             int nodes);

// The workload; precondition: check_shard_options(o) passed.
std::unique_ptr<cluster::ClusterWorkload> make_shard_workload(const ShardOptions& o, int concurrency, uint64_t seed);

// The gossip-worker DB of a run of `workload` (made by make_shard_workload from the
// same options); a workload that crashes workers (crash-recovery) gets their handle.
std::unique_ptr<cluster::Db> make_shard_db(cluster::EtcdOptions etcd, const ShardOptions& o,
                                           cluster::ClusterWorkload* workload);

// The history's processes: the client threads of a controlled workload, else one
// observer per node.
int run_concurrency(const ShardOptions& o, int concurrency, int nodes);

}  // namespace squall::cluster_shard
