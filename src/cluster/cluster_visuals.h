// The drawings of a cluster run (timeline.html, latency-raw.svg, rate.svg), drawn by
// src/viz from the run's history as `squall test`'s are, with every nemesis fault shaded:
// a window opens at the :info of a nemesis's start op (start-partition, kill, pause,
// bump-clock) and closes at the :info of its stop op or at the final heal-all.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "viz/op_span.h"
#include "workload/op.h"

namespace squall::cluster {

// The client ops and the fault windows (exposed for tests).
viz::Ops cluster_ops(const workload::History& history, int64_t end_ns);

// Writes the three files into dir; the first failure is returned, the others attempted.
Status write_cluster_visuals(const std::string& dir, const workload::History& history, int64_t end_ns,
                             const std::string& title);

}  // namespace squall::cluster
