// ShardOptions: what the shard workloads of `squall cluster test` (full-lifecycle, …)
// and their gossip-worker DB share — the run every worker joins (etcd key prefix,
// corpus, lease and cooldown), the worker binary and a negative control to pass
// through. check_shard_options() validates them with messages naming the flag. Value
// types; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "worker/fault.h"

namespace squall::cluster_shard {

// The run and tenant every worker of a shard workload joins (gossip-worker's defaults
// for --run and --tenant, which the DB does not override).
inline constexpr uint64_t kShardRun = 1;
inline constexpr uint64_t kShardTenant = 1;

struct ShardOptions {
  std::string workload = "full-lifecycle";
  std::string binary = "gossip-worker";  // absolute path, or looked up in the node's PATH
  std::string prefix = "/squall-cluster/";
  uint64_t corpus_seed = 1;
  uint32_t items = 3000;  // small enough that a short run finishes its corpus
  uint32_t roots = 12;
  // Long enough that a loaded host (5 members and 5 workers on 2 cores at a load of 8-10)
  // still renews in time: at 1.2 s most grants ended in a lost lease and the corpus stalled.
  int64_t lease_ms = 3000;
  int64_t claim_cooldown_ms = 20;  // non-zero, so that S9 has something to check
  int64_t etcd_timeout_ms = 500;
  // After the final phase: how long the workers get to finish the corpus before the
  // audit runs anyway (an unfinished run is then reported, not waited for forever).
  int64_t settle_ms = 60'000;
  std::optional<worker::Fault> fault;  // a worker negative control (--fault)
  // A coordinator negative control (--coord-mutation, coord/mutations.h) passed to every
  // worker: the controlled workloads probe the coordinator through the control API,
  // which --fault (the worker core's bugs) does not reach. Empty: none.
  std::string coord_mutation;
  // Controlled workloads (lease-exclusivity): the workers serve the control API on
  // control_port + k (k = 0 .. workers_per_node - 1) of their node's address, and the
  // harness's clients drive them; full-lifecycle runs one autonomous worker per node.
  int workers_per_node = 1;
  uint16_t control_port = 7000;
  // lease-exclusivity: how often a client stalls for longer than a lease before its
  // next gated write (1 in stall_one_in; 0: never), as a holder in a GC pause would.
  int stall_one_in = 4;
  int64_t op_timeout_ms = 3000;  // one control API call
};

// True for the workloads whose workers are driven through the control API.
bool controlled(const ShardOptions& o);
// True when the workers take their coordinator's clock from the control requests
// (gossip-worker --control-clock request), so that the history holds every op's `now`.
bool clock_from_requests(const ShardOptions& o);

const std::vector<std::string>& shard_workload_names();
bool is_shard_workload(const std::string& name);

// Errors name the flag: "--items must be at least 1, got 0".
Status check_shard_options(const ShardOptions& o);

// "skip-fence-check" → the fault; an error listing the known names otherwise.
Result<worker::Fault> parse_worker_fault(const std::string& name);

// The invariant each negative control is caught by, as the report's table names it
// (the README's list comes from here).
std::string invariant_catching(worker::Fault f);

// The same for the coordinator mutations the controlled workloads are meant to catch
// ("" for one none of them is known to catch).
std::string invariant_catching_mutation(const std::string& mutation);

}  // namespace squall::cluster_shard
