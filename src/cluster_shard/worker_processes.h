// WorkerProcesses: the gossip-worker processes of a node, apart from its etcd member —
// what the crash-recovery workload SIGKILLs and restarts while etcd keeps running (a
// worker crash, not a machine crash). GossipWorkerDb implements it; its calls are
// serialized with the Db's own (the nemesis thread kills and pauses nodes meanwhile).
#pragma once

#include <vector>

#include "cluster/node.h"
#include "core/result.h"

namespace squall::cluster_shard {

class WorkerProcesses {
 public:
  virtual ~WorkerProcesses() = default;
  // SIGKILLs the node's running workers and returns, once they are gone, the start
  // numbers (worker_trace_file's n) of those that were alive; empty when none was (the
  // run is done, or a nemesis killed the node).
  virtual Result<std::vector<int>> kill_workers(cluster::Node& node) = 0;
  // Starts new incarnations of the workers kill_workers() ended, unless the node itself
  // is down (its start() brings them back then); a no-op otherwise.
  virtual Status restart_workers(cluster::Node& node) = 0;
};

}  // namespace squall::cluster_shard
