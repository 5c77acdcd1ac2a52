// The `lease-exclusivity` shard workload: the gossip-worker DB's workers run in
// controlled mode and the harness's clients hold shard leases through their control
// APIs — acquire a shard (few shards, many clients, so they contend), then alternate
// checkpoints and renewals under that fence, now and then stalling for longer than a
// lease first (a holder in a GC pause) — while the nemesis pauses whole nodes (member
// and workers). Client thread t talks to worker t / n of node t mod n.
//
// check_gated_writes() is the checker, on the history alone: per shard, an accepted
// gated write (renew, checkpoint) under fence f must not begin after an operation
// under a higher fence had completed (a newer lease was granted or used: f's holder
// was a zombie and its write got through), and a granted acquire's fence must exceed
// every fence granted before it began, and no lease may be granted before another
// client's lease under an older fence ran out (deadlines as the workers' clocks gave
// them: all workers share the host's clock unless the clock-skew nemesis runs), and a
// gated write begun more than a lease after its lease was last confirmed must be
// refused (StaleFence or LeaseExpired). `checkpoint-fence` is the same workload with a
// stall before every other write, so that the last rule is exercised often. Refused
// stale writes (StaleFence, LeaseExpired) are counted: the protection working.
#pragma once

#include <memory>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_lease_exclusivity(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed);

// The result map: :valid?, :checker, :invariants, :anomalies, :anomaly-ops,
// :violation-op and :violation-note (for the report's interleaved failing ops).
history::Value check_gated_writes(const workload::History& history, int64_t lease_ms);

}  // namespace squall::cluster_shard
