// The workloads `squall cluster test --workload` runs against etcd, as ClusterWorkloads:
//   register         per-key read / write / cas (a Txn comparing the value) over
//                    independent keys, each checked for linearizability (cas-register)
//   set              adds to one set kept in one key (read, then a Txn on the key's
//                    mod revision), final reads on every node; checked with set-full
//   lock             acquire / release of an etcd lock held by a short lease; checked
//                    that no two holds overlap in the history
//   lock-set         under the lock, a read-modify-write of a set kept in one key;
//                    lost elements show that mutual exclusion failed
//   lock-fenced-set  the same, but the write is a Txn guarded by the lock key still
//                    existing with its create revision (fencing)
// Every client thread is bound to one node (thread i to node i mod n) and talks only to
// its member; see etcd_session.h for how errors become completions. Result maps carry
// :checker (what checked it), :anomalies (lines for the report) and :anomaly-ops (the
// history indices the report shows with the nemesis events around them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_workload.h"
#include "core/result.h"

namespace squall::cluster {

struct EtcdWorkloadOptions {
  std::string name = "register";
  int concurrency = 10;
  int64_t op_timeout_ms = 5000;  // every etcd request of an op
  int64_t lease_ttl_s = 2;       // lock workloads: the holder's lease
  // Lock workloads: the holder works 0-hold_ms under the lock (lock: the whole hold;
  // the set bodies: between the read and the write), as a client doing real work would.
  int64_t hold_ms = 100;
  uint64_t seed = 0;
  // register only, the checker's negative control: a thread answers reads of a key from
  // its own memory of the last value it wrote or read there, never asking etcd.
  bool stale_reads = false;
};

const std::vector<std::string>& etcd_workload_names();
Result<std::unique_ptr<ClusterWorkload>> make_etcd_workload(const EtcdWorkloadOptions& options);

std::unique_ptr<ClusterWorkload> make_register_workload(const EtcdWorkloadOptions& options);
std::unique_ptr<ClusterWorkload> make_set_workload(const EtcdWorkloadOptions& options);
std::unique_ptr<ClusterWorkload> make_lock_workload(const EtcdWorkloadOptions& options);

// Runs body(thread, node) on `concurrency` threads, thread i bound to nodes[i % n], and
// joins them all.
void run_client_threads(const std::vector<Node*>& nodes, int concurrency,
                        const std::function<void(int thread, Node& node)>& body);

// A set of integers as one etcd value: "1,2,3" (empty: no elements). Malformed text is
// an error naming the bad element.
std::string encode_int_set(const std::vector<int64_t>& elements);
Result<std::vector<int64_t>> decode_int_set(const std::string& text);

}  // namespace squall::cluster
