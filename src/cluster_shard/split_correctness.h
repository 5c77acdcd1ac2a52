// The `split-correctness` shard workload: the clients drive controlled gossip-workers
// to acquire shards (the roots, then the children and residuals they learn of from the
// `spawned` ids of split answers) and split them — split_replace into 2-4 children
// tiling the range the grant returned, or split_residual — with cut points chosen from
// the corpus keys inside that range, under the nemeses. One split in six is a probe
// the coordinator must refuse (children or halves with a gap between them). At the end
// the harness reads every shard record of the run back through etcd (each as it is and
// as it was created) and check_split_records() checks them against the history.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "coord/records.h"
#include "history/value.h"
#include "worker_audit/split_tiling.h"
#include "workload/op.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_split_correctness(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed);

// The run's records as read back at the end of a run.
struct RunRecords {
  bool read = false;  // false: `why` says what could not be read
  std::string why;
  coord::RunRecord run;
  std::map<coord::ShardId, worker_audit::ShardVersions> shards;
};

// The result map (:valid?, :invariants, :anomalies, …): each Split shard's children, as
// created, tile it exactly (worker_audit::check_split_tiling); the leaves (shards not
// Split) tile the root ranges exactly and every record keeps its own invariants
// (sim::Checker::check_records); every split answered ok is in the records (a replaced
// shard is Split, each id it spawned exists and names it as parent). Unknown when the
// records could not be read or no split was answered ok.
history::Value check_split_records(const workload::History& history, const RunRecords& records);

}  // namespace squall::cluster_shard
