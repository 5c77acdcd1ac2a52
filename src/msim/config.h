// MsimConfig: one `squall sim -w` run, as parsed from the command line.
//
// The flags that make sense in simulation carry over from `squall test` with the same
// meaning and defaults (--time-limit counts simulated seconds); the node binary is
// replaced by a NodeFactory, and FaultMix adds the faults Maelstrom does not have.
// A run is fully determined by (config, seed). Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "msim/faults.h"
#include "net/latency.h"
#include "workload/workload.h"

namespace squall::msim {

inline constexpr int kMaxSimNodes = 100'000;

struct MsimConfig {
  std::string workload = "broadcast";
  int node_count = 5;
  std::string concurrency_spec;  // an integer or Kn; empty: the workload's default
  int concurrency = 0;           // resolved by resolve()
  double time_limit_s = 60;      // simulated seconds of main phase
  double rate = 5;
  double latency_ms = 0;
  net::LatencyDist latency_dist = net::LatencyDist::kConstant;
  double nemesis_interval_s = 10;
  std::string topology = "grid";
  uint64_t seed = 1;
  double recovery_time_s = 10;
  std::optional<double> rpc_timeout_option;
  double rpc_timeout_s = 5;
  double init_timeout_s = 10;
  std::optional<double> availability;
  bool strict = false;
  workload::WorkloadOptions workload_options;  // the txn workloads' key shape and models
  FaultMix faults;
  bool swarm = false;  // each seed draws its own FaultMix (see draw_swarm)
};

// Fills the workload's defaults (concurrency, client timeout) and checks every range;
// the message is meant for the user.
Status resolve(MsimConfig* config, const workload::Workload& w);

// The one-line command that replays this exact run (its seed and drawn faults).
std::string replay_command(const MsimConfig& config, const std::string& node_args);

}  // namespace squall::msim
