#include "net/latency.h"

#include <algorithm>
#include <cmath>

namespace squall::net {

Result<LatencyDist> parse_latency_dist(std::string_view name) {
  if (name == "constant") return LatencyDist::kConstant;
  if (name == "uniform") return LatencyDist::kUniform;
  if (name == "exponential") return LatencyDist::kExponential;
  return err("unknown latency distribution '" + std::string(name) + "' (expected constant, uniform or exponential)");
}

std::string_view latency_dist_name(LatencyDist dist) {
  switch (dist) {
    case LatencyDist::kConstant: return "constant";
    case LatencyDist::kUniform: return "uniform";
    case LatencyDist::kExponential: return "exponential";
  }
  SQ_UNREACHABLE("bad LatencyDist");
}

int64_t sample_latency_ns(LatencyDist dist, double mean_ms, Rng& rng) {
  SQ_ASSERT(mean_ms >= 0);
  if (mean_ms == 0) return 0;
  double mean_ns = mean_ms * 1e6;
  double ns = 0;
  switch (dist) {
    case LatencyDist::kConstant: ns = mean_ns; break;
    case LatencyDist::kUniform: ns = rng.unit() * 2 * mean_ns; break;
    case LatencyDist::kExponential: ns = std::min(rng.exponential(mean_ns), 50 * mean_ns); break;
  }
  return static_cast<int64_t>(std::llround(ns));
}

}  // namespace squall::net
