// FaultMix: the seeded faults of one `squall sim -w` run, beyond Maelstrom's.
//
// Message faults apply to every node-to-node and node-to-service message, each drawn
// from the run's seed: loss, duplication, and reordering (an extra delay of up to
// reorder_max_ms, so later messages overtake it). Scheduled faults are the nemesis
// kinds: partition (squall test's four shapes), one-way (half the nodes cannot hear the
// other half, who still hear them), kill (crash-restart: the node's volatile state is
// lost and init is sent again; messages to it while down are dropped), pause (the node
// runs nothing while paused; messages wait for it, as in a stopped process's pipe).
// Clock skew makes each node's timers run fast or slow by up to skew_ppm.
// In swarm mode each seed draws its own mix (draw_swarm). Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/rng.h"

namespace squall::msim {

inline constexpr uint32_t kPpm = 1'000'000;

struct FaultMix {
  uint32_t loss_ppm = 0;
  uint32_t dup_ppm = 0;
  uint32_t reorder_ppm = 0;
  int64_t reorder_max_ms = 0;
  uint32_t skew_ppm = 0;             // each node's timer rate lies in [1 - skew, 1 + skew]
  std::vector<std::string> nemesis;  // partition, one-way, kill, pause
  bool has(const std::string& kind) const;
  // "loss 1.0%, dup 0.5%, reorder 2.0% (<= 300 ms), skew 5.0%, nemesis partition,kill" or "none".
  std::string describe() const;
  // The flags that reproduce this mix, e.g. " --p-loss 0.01 --nemesis partition".
  std::string flags() const;
};

// The nemesis kinds the simulator knows.
const std::vector<std::string>& nemesis_kinds();
Status validate_nemesis(const std::vector<std::string>& kinds);

// Whether `workload` stays valid when nodes lose their memory (kill): true for the
// workloads whose state lives in a service or nowhere (echo, lin-kv).
bool survives_kill(const std::string& workload);

// Swarm mode: a mix drawn from `rng`: each fault on or off, with its own strength;
// kill only for workloads that survive it.
FaultMix draw_swarm(const std::string& workload, Rng rng);

// Parses a probability in [0, 1] ("0.05") into ppm; the error names `flag`.
Result<uint32_t> parse_probability(const std::string& text, const std::string& flag);

}  // namespace squall::msim
