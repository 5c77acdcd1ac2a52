// TestConfig: everything one `squall test` run needs, as parsed from the command line.
//
// Defaults follow Maelstrom's `test` command (see maelstrom-compat.md); --seed and
// --recovery-time are Squall's additions. validate() checks ranges and resolves the
// concurrency spec; it returns messages meant for the user. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/latency.h"

namespace squall::harness {

// Limits that keep a run on one machine sane.
inline constexpr int kMaxNodes = 1000;
inline constexpr int kMaxConcurrency = 10000;

struct TestConfig {
  std::string workload = "lin-kv";
  std::string bin;
  std::vector<std::string> bin_args;
  int node_count = 5;
  std::string concurrency_spec = "1n";  // an integer or Kn (K times the node count)
  int concurrency = 0;                  // resolved by validate()
  double time_limit_s = 60;
  double rate = 5;                      // ops per second across all clients
  double latency_ms = 0;
  net::LatencyDist latency_dist = net::LatencyDist::kConstant;
  std::vector<std::string> nemesis;     // e.g. {"partition"}
  double nemesis_interval_s = 10;
  std::string topology = "grid";
  std::optional<double> availability;   // minimum ok fraction, 1.0 for "total"
  bool log_stderr = false;
  bool strict = false;                  // protocol violations fail the run (default: warnings)
  uint64_t seed = 0;
  double recovery_time_s = 10;
  double rpc_timeout_s = 5;
  double init_timeout_s = 10;
  std::string store_dir = "store";
  bool status_line = false;             // live status line (set when stderr is a TTY)

  bool has_nemesis(const std::string& name) const;
};

// Parses "10" or "2n" against a node count.
Result<int> parse_concurrency(const std::string& spec, int node_count);
// Parses "total" or a fraction in [0, 1].
Result<double> parse_availability(const std::string& spec);
// Splits "partition,kill" into names.
std::vector<std::string> split_list(const std::string& spec);

Status validate(TestConfig* config);

}  // namespace squall::harness
