// The `shard-acquisition` shard workload: the gossip-worker DB's workers run in
// controlled mode with their coordinator's clock taken from the requests
// (--control-clock request), and the harness's clients acquire, renew, checkpoint,
// park, unpark and complete a few shards through the control APIs, so that every
// operation's inputs — the shard, the acting worker, `now`, the op id, the fence and
// cursor presented — are in the history. The checker is the linearizability engine of
// `squall check` with the `shard-lease` model (the coordination model's own planning
// functions), one search per shard: the etcd-backed coordinators of several workers,
// under partitions, must answer as one sequential coordinator would.
//
// Client thread t talks to worker t / n of node t mod n. A client that gets no answer
// (or an indeterminate one) records :info and continues as a new process, as Jepsen's
// clients do, because its op may still take effect at any later point.
#pragma once

#include <memory>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "history/history.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_shard_acquisition(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed);

// The recorded ops as a keyed history for the shard-lease model: the key is the
// shard, the value the op's map without it; nemesis ops are left out. index_of maps
// each history op back to its position in `recorded` (for the report). An error
// names a recorded op that is not a shard op.
Result<history::History> shard_lease_history(const workload::History& recorded, std::vector<size_t>* index_of);

// The result map: :valid?, :checker, :invariants, :anomalies, :anomaly-ops and, when
// invalid, :violation-op / :violation-note.
history::Value check_shard_acquisition(const workload::History& recorded);

}  // namespace squall::cluster_shard
