#include "harness/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "harness/topology.h"

namespace squall::harness {

bool TestConfig::has_nemesis(const std::string& name) const {
  return std::find(nemesis.begin(), nemesis.end(), name) != nemesis.end();
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

Status validate(TestConfig* c) {
  if (c->bin.empty()) return err("--bin is required: the node binary to test");
  if (c->node_count < 1 || c->node_count > kMaxNodes) {
    return err("--node-count must be between 1 and " + std::to_string(kMaxNodes));
  }
  auto conc = parse_concurrency(c->concurrency_spec, c->node_count);
  if (!conc.ok()) return err(conc.error());
  c->concurrency = *conc;
  auto finite_in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  if (!finite_in(c->time_limit_s, 0, 86400)) return err("--time-limit must be between 0 and 86400 seconds");
  if (!finite_in(c->rate, 0, 1e6)) return err("--rate must be between 0 and 1000000 ops/s");
  if (!finite_in(c->latency_ms, 0, 60000)) return err("--latency must be between 0 and 60000 ms");
  if (!finite_in(c->nemesis_interval_s, 0.001, 86400)) return err("--nemesis-interval must be between 0.001 and 86400 s");
  if (!finite_in(c->recovery_time_s, 0, 3600)) return err("--recovery-time must be between 0 and 3600 s");
  if (!finite_in(c->rpc_timeout_s, 0.001, 3600)) return err("--rpc-timeout must be between 0.001 and 3600 s");
  for (const auto& n : c->nemesis) {
    if (n != "partition") return err("unknown nemesis '" + n + "' (this build supports: partition)");
  }
  if (!is_topology_name(c->topology)) {
    return err("unknown topology '" + c->topology + "' (expected grid, line, tree2, tree3, tree4 or total)");
  }
  return {};
}

}  // namespace squall::harness
