// The `crash-recovery` shard workload: full-lifecycle's autonomous workers and audit,
// while the workload itself SIGKILLs one worker process at a time — every 1 to 3 s,
// seeded, never its etcd member — and starts a new incarnation after 0.2 to 1 s. A
// worker spends most of its time inside a checkpoint (its done-ledger write, then its
// record write), so many kills land there; each killed incarnation's wire trace tells
// which request the kill cut short, and the report counts the kills that landed
// mid-checkpoint (a run with none is :unknown: it did not test what it claims to).
// On top of full-lifecycle's table (findings equal the ground truth; every item in the
// done-ledger; S1–S9; zombie rejection) it checks crash_checks.h's two rows: every
// checkpoint acknowledged to a killed incarnation is at or before its shard's cursor
// afterwards, and the done-ledger as it was just before each kill (read at that etcd
// revision) is wholly there at the end. The workers come from the gossip-worker DB
// (WorkerProcesses), handed over by attach_worker_processes() before the run.
#pragma once

#include <cstdint>
#include <memory>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "cluster_shard/worker_processes.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_crash_recovery(const ShardOptions& options, uint64_t seed);

// Gives a crash-recovery workload the processes it kills; a no-op for other workloads.
void attach_worker_processes(cluster::ClusterWorkload* workload, WorkerProcesses* workers);

}  // namespace squall::cluster_shard
