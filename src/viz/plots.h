// The run's performance plots, as self-contained SVG documents.
//
// latency-raw.svg: one point per completed operation at (invocation time, latency),
// latency on a log scale, coloured by outcome (ok, fail, info) and shaped by :f.
// rate.svg: completions per second over time, one line per (:f, outcome), in buckets
// sized to hold about ten completions each. Both shade nemesis windows. At
// most kMaxPoints operations are drawn in the latency plot (evenly sampled), and the
// plot says so when it sampled. Pure functions of their input.
#pragma once

#include <cstddef>
#include <string>

#include "viz/op_span.h"

namespace squall::viz {

inline constexpr size_t kMaxPoints = 20000;

std::string render_latency_plot(const Ops& ops);
std::string render_rate_plot(const Ops& ops);

}  // namespace squall::viz
