// GossipWorkerDb: the DB of the shard workloads — on every node the etcd member of
// EtcdDb, plus one autonomous gossip-worker started through the node's Control (so it
// lives in the node's namespace, under libfaketime like etcd) once the member is
// healthy. The workers of node i (ShardOptions::workers_per_node of them, k = 0, 1, …)
// have worker ids i*per_node + k + 1, talk to their own member first, then to the
// others, and in the controlled workloads serve the control API on the node's address,
// port control_port + k. A kill, pause or resume of the node reaches both processes (the
// worker first on kill, etcd first on start); start() after a kill starts a new
// incarnation of the worker. Each start writes <node dir>/worker-trace-<n>.log (the
// wire trace the audit reads) and appends to <node dir>/worker.log; collect() copies
// them next to etcd's log. teardown() kills the worker before etcd; the Cluster kills
// whatever is left in the namespaces, so no worker outlives the run. It is also the
// WorkerProcesses of crash-recovery, which SIGKILLs and restarts the workers alone;
// every call takes one lock, so that workload's thread and the nemesis's may both call.
#pragma once

#include <memory>
#include <string>

#include "cluster/db.h"
#include "cluster/etcd_db.h"
#include "cluster_shard/shard_options.h"
#include "cluster_shard/worker_processes.h"
#include "etcd/client.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::Db> gossip_worker_db(cluster::EtcdOptions etcd, ShardOptions shard);

// The worker processes of a Db made by gossip_worker_db(), nullptr for any other Db.
WorkerProcesses* worker_processes_of(cluster::Db* db);

// A client of every node's etcd member (2 s per request), for reading the run's
// records, findings and done-ledger back after (or during) a run.
std::unique_ptr<etcd::Client> members_client(const std::vector<cluster::Node*>& nodes);

// The node's worker trace file of start number n (1-based).
std::string worker_trace_file(const cluster::Node& node, int n);

// gossip-worker's path: `flag` when given, else the one next to the running binary
// when it exists there, else "gossip-worker" (looked up in the node's PATH).
std::string default_worker_binary(const std::string& flag);

}  // namespace squall::cluster_shard
