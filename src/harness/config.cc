#include "harness/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "core/assert.h"
#include "harness/topology.h"

namespace squall::harness {

bool TestConfig::has_nemesis(const std::string& name) const {
  return std::find(nemesis.begin(), nemesis.end(), name) != nemesis.end();
}

std::string TestConfig::node_id(int i) const {
  SQ_ASSERT(i >= 0);
  if (!node_ids.empty()) return node_ids.at(static_cast<size_t>(i));
  return "n" + std::to_string(i);
}

Result<uint64_t> parse_seed(const std::string& text) {
  // Digits only: strtoull would take "-1" as 2^64-1 and saturate oversized values.
  constexpr uint64_t kMax = uint64_t{1} << 63;
  bool digits = !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
  uint64_t v = digits ? std::strtoull(text.c_str(), nullptr, 10) : kMax;
  if (v >= kMax) return err("--seed must be an integer between 0 and 9223372036854775807, got '" + text + "'");
  return v;
}

Result<std::vector<std::string>> parse_node_ids(const std::string& spec) {
  std::vector<std::string> ids = split_list(spec);
  if (ids.empty()) return err("--nodes needs at least one node id, e.g. --nodes n1,n2,n3");
  if (ids.size() > static_cast<size_t>(kMaxNodes))
    return err("--nodes names more than " + std::to_string(kMaxNodes) + " nodes");
  std::set<std::string> seen;
  for (const auto& id : ids) {
    // The ids are written into JSON and node-log file names as they are.
    if (id.size() > 64 ||
        id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
            std::string::npos ||
        id == "." || id == "..") {
      return err("--nodes: '" + id + "' is not a usable node id (up to 64 letters, digits, '-', '_', '.', ':')");
    }
    if (id == "lin-kv" || id == "seq-kv" || id == "lww-kv" || id == "lin-tso") {
      return err("--nodes: '" + id + "' is the name of a built-in service");
    }
    if (id.size() > 1 && id[0] == 'c' && id.find_first_not_of("0123456789", 1) == std::string::npos) {
      return err("--nodes: '" + id + "' looks like a client id (c0, c1, ... name the clients)");
    }
    if (!seen.insert(id).second) return err("--nodes: '" + id + "' appears twice");
  }
  return ids;
}

void apply_workload_defaults(TestConfig* c, const workload::Workload& w) {
  if (c->concurrency_spec.empty()) c->concurrency_spec = w.default_concurrency();
  c->rpc_timeout_s = c->rpc_timeout_option ? *c->rpc_timeout_option : w.default_rpc_timeout_s(c->latency_ms);
}

Result<int> parse_concurrency(const std::string& spec, int node_count) {
  std::string digits = spec;
  bool per_node = !digits.empty() && digits.back() == 'n';
  if (per_node) digits.pop_back();
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6) {
    return err("--concurrency must be an integer or an integer followed by n (e.g. 10 or 2n), got '" + spec + "'");
  }
  long v = std::strtol(digits.c_str(), nullptr, 10);
  if (per_node) v *= node_count;
  if (v < 1 || v > kMaxConcurrency) {
    return err("--concurrency '" + spec + "' gives " + std::to_string(v) + " clients; allowed 1.." +
               std::to_string(kMaxConcurrency));
  }
  return static_cast<int>(v);
}

Result<double> parse_availability(const std::string& spec) {
  if (spec == "total") return 1.0;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(spec.c_str(), &end);
  if (spec.empty() || *end != '\0' || errno != 0 || !(v >= 0 && v <= 1)) {
    return err("--availability must be 'total' or a fraction between 0 and 1, got '" + spec + "'");
  }
  return v;
}

std::string availability_flag(const std::optional<double>& availability) {
  if (!availability) return "";
  if (*availability == 1.0) return " --availability total";
  return fmt::format(" --availability {}", *availability);
}

std::vector<std::string> split_list(const std::string& spec) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

Status validate_run_ranges(double time_limit_s, double rate, double latency_ms, double nemesis_interval_s,
                           double recovery_time_s) {
  auto finite_in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  if (!finite_in(time_limit_s, 0, 86400)) return err("--time-limit must be between 0 and 86400 seconds");
  if (!finite_in(rate, 0, 1e6)) return err("--rate must be between 0 and 1000000 ops/s");
  if (!finite_in(latency_ms, 0, 60000)) return err("--latency must be between 0 and 60000 ms");
  if (!finite_in(nemesis_interval_s, 0.001, 86400)) return err("--nemesis-interval must be between 0.001 and 86400 s");
  if (!finite_in(recovery_time_s, 0, 3600)) return err("--recovery-time must be between 0 and 3600 s");
  return {};
}

Status validate(TestConfig* c) {
  if (c->bin.empty()) return err("--bin is required: the node binary to test");
  if (!c->node_ids.empty()) c->node_count = static_cast<int>(c->node_ids.size());
  if (c->node_count < 1 || c->node_count > kMaxNodes) {
    return err("--node-count must be between 1 and " + std::to_string(kMaxNodes));
  }
  auto conc = parse_concurrency(c->concurrency_spec.empty() ? "1n" : c->concurrency_spec, c->node_count);
  if (!conc.ok()) return err(conc.error());
  c->concurrency = *conc;
  if (Status s =
          validate_run_ranges(c->time_limit_s, c->rate, c->latency_ms, c->nemesis_interval_s, c->recovery_time_s);
      !s.ok())
    return s;
  auto finite_in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  if (!finite_in(c->rpc_timeout_s, 0.001, 3600)) return err("--rpc-timeout must be between 0.001 and 3600 s");
  for (const auto& n : c->nemesis) {
    if (n != "partition" && n != "one-way" && n != "kill" && n != "pause")
      return err("unknown nemesis '" + n + "' (this build supports: partition, one-way, kill, pause)");
  }
  if (!is_topology_name(c->topology)) {
    return err("unknown topology '" + c->topology +
               "' (expected grid, line, tree (= tree2), tree2, tree3, tree4 or total)");
  }
  c->topology = std::string(canonical_topology(c->topology));
  if (c->store_dir.empty()) return err("--store must name a directory (the default is 'store')");
  if (c->test_count < 1 || c->test_count > kMaxTestCount) {
    return err("--test-count must be between 1 and " + std::to_string(kMaxTestCount));
  }
  return workload::validate(c->workload_options);
}

}  // namespace squall::harness
