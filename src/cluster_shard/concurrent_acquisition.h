// The `concurrent-acquisition` shard workload: many clients, each driving its own
// controlled gossip-worker, race for a few shards (--roots, 2 by default) under a short
// lease (1 s by default), so that leases turn over often: acquire a random shard; on a
// grant renew it 0-2 times after short random waits and then let it lapse (the client
// moves on; nobody releases it); a refused acquire is retried after a short random wait.
//
// check_concurrent_acquisition() is the checker, on the history alone: per shard, one
// winner per fence (no two granted acquires with the same fence), plus the rows of
// check_gated_writes() (lease_exclusivity.h) that the same history answers: grants'
// fences strictly increasing in real-time order, no grant while another client's
// lease was live, renewals only under the newest fence and within the lease.
#pragma once

#include <cstdint>
#include <memory>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_concurrent_acquisition(const ShardOptions& options, int concurrency,
                                                                      uint64_t seed);

// The result map of check_gated_writes() with the row "One winner per fence" added.
history::Value check_concurrent_acquisition(const workload::History& history, int64_t lease_ms);

}  // namespace squall::cluster_shard
