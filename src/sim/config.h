// SimConfig and FaultPlan: everything that shapes one simulated run, as plain values.
//
// A run is fully determined by (config, seed): the same pair replays byte-identically.
// Probabilities are integers (parts per million) so plans are exact and printable.
// Levels: 1 sunny (no faults), 2 stormy (network, pauses, time jumps, skew, lease
// expiry, partitions), 3 radioactive (level 2 + crash-restart, replayed stale requests,
// failed and ambiguous backend commits).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coord/mutations.h"
#include "worker/fault.h"

namespace squall::sim {

inline constexpr uint32_t kPpm = 1'000'000;

struct FaultPlan {
  // Per message sent.
  uint32_t msg_loss_ppm = 0;
  uint32_t msg_dup_ppm = 0;
  uint32_t msg_delay_ppm = 0;  // extra delay, which also reorders
  int64_t msg_delay_extra_ms_max = 0;
  // Per tick.
  uint32_t partition_ppm = 0;     // cut one worker from the coordinator for a while
  uint32_t pause_ppm = 0;         // stop one worker (GC-style pause)
  uint32_t time_jump_ppm = 0;     // the whole system's clock jumps forward
  uint32_t skew_ppm = 0;          // change one worker's clock offset
  uint32_t lease_expiry_ppm = 0;  // one worker stops renewing for a while
  uint32_t crash_ppm = 0;         // one worker crashes, losing volatile state, then restarts
  uint32_t replay_ppm = 0;        // an old request is re-delivered to the coordinator
  // Per backend commit.
  uint32_t commit_fail_ppm = 0;       // refused before applying (Unavailable)
  uint32_t commit_ambiguous_ppm = 0;  // Indeterminate; applied or not with equal odds
};

FaultPlan fault_plan_for_level(int level);
const char* level_name(int level);

struct SimConfig {
  int level = 1;
  uint64_t seed = 1;
  int workers = 4;
  int shards = 15;
  int64_t steps = 3000;                 // safety-phase ticks
  int64_t liveness_steps_max = 60'000;  // the liveness phase must converge within this
  int64_t tick_ms = 1;
  int64_t lease_duration_ms = 300;
  int64_t claim_cooldown_ms = 20;
  int64_t request_timeout_ms = 60;
  int64_t net_delay_ms_min = 1;
  int64_t net_delay_ms_max = 8;
  int leases_per_worker_max = 2;
  int shards_max_factor = 4;  // splits stop once shards exceed factor × initial
  coord::Mutations mutations;
  // Deliberate worker bugs (negative controls of the worker core), for every worker.
  worker::Faults worker_faults;
  std::string mutation_name;  // as given on the command line, "" if none
};

// All mutation names, in a stable order: the model's, then the worker faults as
// "worker-" + fault name (the model has its own skip-fence-check).
std::vector<std::string> all_mutation_names();
// Applies a named mutation to cfg; false if unknown.
bool apply_mutation(std::string_view name, SimConfig* cfg);

}  // namespace squall::sim
