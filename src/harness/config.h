// TestConfig: everything one `squall test` run needs, as parsed from the command line.
//
// Defaults follow Maelstrom's `test` command (see maelstrom-compat.md); --seed and
// --recovery-time are Squall's additions. apply_workload_defaults() fills what the
// workload decides (lin-kv: 2n clients, a latency-scaled client timeout); validate()
// then checks ranges and resolves the concurrency spec; both return messages meant for
// the user. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/latency.h"
#include "workload/workload.h"

namespace squall::harness {

// Limits that keep a run on one machine sane.
inline constexpr int kMaxNodes = 1000;
inline constexpr int kMaxConcurrency = 10000;
inline constexpr int kMaxTestCount = 10000;

struct TestConfig {
  std::string workload = "lin-kv";
  std::string bin;
  std::vector<std::string> bin_args;
  int node_count = 5;
  std::string concurrency_spec;  // an integer or Kn (K times the node count); empty: the workload's default
  int concurrency = 0;           // resolved by validate()
  double time_limit_s = 60;
  double rate = 5;  // ops per second across all clients
  double latency_ms = 0;
  net::LatencyDist latency_dist = net::LatencyDist::kConstant;
  std::vector<std::string> nemesis;  // e.g. {"partition"}
  double nemesis_interval_s = 10;
  std::string topology = "grid";
  std::optional<double> availability;  // minimum ok fraction, 1.0 for "total"
  bool log_stderr = false;
  bool strict = false;  // protocol violations fail the run (default: warnings)
  uint64_t seed = 0;
  double recovery_time_s = 10;
  std::optional<double> rpc_timeout_option;  // --rpc-timeout as given; nullopt: the workload's default
  double rpc_timeout_s = 5;                  // resolved by apply_workload_defaults()
  double init_timeout_s = 10;
  std::string store_dir = "store";
  bool status_line = false;  // live status line (set when stderr is a TTY)

  // Maelstrom's flags (from its docs) with Maelstrom's meaning.
  std::vector<std::string> node_ids;  // --nodes a,b,c: explicit node ids; empty: n0 .. n(N-1)
  int test_count = 1;                 // --test-count: run the test this many times
  bool log_net_send = false;          // --log-net-send: every network send to jepsen.log
  bool log_net_recv = false;          // --log-net-recv: every delivery to jepsen.log
  // The txn workloads' options (--key-count, --max-txn-length, --max-writes-per-key,
  // --consistency-models).
  workload::WorkloadOptions workload_options;

  bool has_nemesis(const std::string& name) const;
  // The id of node i: node_ids[i], or "n<i>".
  std::string node_id(int i) const;
};

// The range checks that `squall test` and `squall sim -w` share (--time-limit, --rate,
// --latency, --nemesis-interval, --recovery-time), with the same messages.
Status validate_run_ranges(double time_limit_s, double rate, double latency_ms, double nemesis_interval_s,
                           double recovery_time_s);

// Parses "10" or "2n" against a node count.
Result<int> parse_concurrency(const std::string& spec, int node_count);
// Parses "total" or a fraction in [0, 1].
Result<double> parse_availability(const std::string& spec);
// " --availability total" / " --availability 0.9", or "" when not given: for the
// reproduce commands.
std::string availability_flag(const std::optional<double>& availability);
// Splits "partition,kill" into names.
std::vector<std::string> split_list(const std::string& spec);

// Parses --seed: a decimal integer in 0 .. 2^63-1 (results record it as an integer).
Result<uint64_t> parse_seed(const std::string& text);
// Parses and checks --nodes: unique ids of letters, digits and "-_.:", none a service
// name (lin-kv, seq-kv, lww-kv, lin-tso) or a client name (c<digits>).
Result<std::vector<std::string>> parse_node_ids(const std::string& spec);

// Fills the settings left to the workload: concurrency (lin-kv: 2n, one key group) and
// the client timeout (lin-kv: max(10 x mean latency, 1 s), others 5 s).
void apply_workload_defaults(TestConfig* config, const workload::Workload& w);

Status validate(TestConfig* config);

}  // namespace squall::harness
