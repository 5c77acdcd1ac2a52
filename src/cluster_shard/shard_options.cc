#include "cluster_shard/shard_options.h"

#include <algorithm>

#include <fmt/format.h>

#include "coord/mutations.h"
#include "sim/stats.h"

namespace squall::cluster_shard {

const std::vector<std::string>& shard_workload_names() {
  static const std::vector<std::string> names{"full-lifecycle",    "lease-exclusivity",      "checkpoint-fence",
                                              "shard-acquisition", "concurrent-acquisition", "split-correctness",
                                              "crash-recovery"};
  return names;
}

bool is_shard_workload(const std::string& name) {
  const auto& n = shard_workload_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

bool controlled(const ShardOptions& o) { return o.workload != "full-lifecycle" && o.workload != "crash-recovery"; }

bool clock_from_requests(const ShardOptions& o) { return o.workload == "shard-acquisition"; }

Status check_shard_options(const ShardOptions& o) {
  if (!is_shard_workload(o.workload)) return err(fmt::format("'{}' is not a shard workload", o.workload));
  if (o.items < 1) return err(fmt::format("--items must be at least 1, got {}", o.items));
  if (o.roots < 1 || o.roots > o.items)
    return err(fmt::format("--roots must be between 1 and --items ({}), got {}", o.items, o.roots));
  if (o.lease_ms < 50) return err(fmt::format("--worker-lease-ms must be at least 50, got {}", o.lease_ms));
  if (o.claim_cooldown_ms < 0 || o.claim_cooldown_ms >= o.lease_ms)
    return err(fmt::format("the claim cooldown must lie in [0, lease), got {} ms", o.claim_cooldown_ms));
  if (o.binary.empty()) return err("--gossip-worker must not be empty");
  if (o.prefix.empty() || o.prefix.front() != '/' || o.prefix.back() != '/')
    return err(fmt::format("the etcd prefix must start and end with '/', got '{}'", o.prefix));
  if (o.settle_ms < 0) return err("the settle time cannot be negative");
  if (o.workers_per_node < 1 || o.workers_per_node > 64)
    return err(fmt::format("workers per node must be 1 to 64, got {}", o.workers_per_node));
  if (o.stall_one_in < 0) return err("the stall rate cannot be negative");
  if (o.op_timeout_ms < 1) return err("--op-timeout must be positive");
  coord::Mutations m;
  if (!o.coord_mutation.empty() && !coord::set_model_mutation(o.coord_mutation, &m)) {
    std::string known;
    for (std::string_view n : coord::model_mutation_names()) known += (known.empty() ? "" : ", ") + std::string(n);
    return err(fmt::format("unknown --coord-mutation '{}' (known: {})", o.coord_mutation, known));
  }
  return {};
}

Result<worker::Fault> parse_worker_fault(const std::string& name) {
  if (auto f = worker::parse_fault(name)) return *f;
  std::string known;
  for (worker::Fault f : worker::all_faults())
    known += (known.empty() ? "" : ", ") + std::string(worker::fault_name(f));
  return err(fmt::format("unknown --fault '{}' (known: {})", name, known));
}

std::string invariant_catching(worker::Fault f) {
  switch (f) {
    case worker::Fault::SkipFenceCheck: return "Zombie rejection (worker conduct)";
    case worker::Fault::IgnoreLiveLease: return sim::to_string(sim::Invariant::S1MutualExclusion);
    case worker::Fault::CheckpointBeforeFindings: return "Exactly-once findings (MissingFinding)";
    case worker::Fault::NonIdempotentFindings: return "Exactly-once findings (DuplicateFinding)";
  }
  return "?";
}

std::string invariant_catching_mutation(const std::string& mutation) {
  if (mutation == "acquire-ignores-live-lease") return "Leases disjoint in time (grants)";
  if (mutation == "split-with-gap") return "Split children tile the parent (S7)";
  // A residual is no child: the gap shows between the leaves.
  if (mutation == "residual-with-gap") return "Leaves tile the root ranges (S7)";
  return "";
}

}  // namespace squall::cluster_shard
