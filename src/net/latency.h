// Latency: how long the simulated network holds a node-to-node message.
//
// Three distributions, as Maelstrom names them: constant (always the mean), uniform on
// [0, 2 x mean] and exponential with that mean. Samples come from the caller's Rng only,
// so a seed replays the same latencies for the same sequence of sends. Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "core/rng.h"

namespace squall::net {

enum class LatencyDist { kConstant, kUniform, kExponential };

// Parses "constant", "uniform" or "exponential".
Result<LatencyDist> parse_latency_dist(std::string_view name);
std::string_view latency_dist_name(LatencyDist dist);

// One latency sample in nanoseconds. Precondition: mean_ms >= 0. Exponential samples are
// capped at 50 x mean so one unlucky draw cannot stall a run.
int64_t sample_latency_ns(LatencyDist dist, double mean_ms, Rng& rng);

}  // namespace squall::net
