// The visual artifacts of a run: messages.svg, messages.tsv (every message, for squall
// serve's windowed diagrams), timeline.html, latency-raw.svg and rate.svg, written into the run's store directory when
// the run finishes.
//
// This is the bridge from the harness's own records (its history, the network journal
// and the labels noted as messages were routed) to the drawing code in src/viz, which
// knows neither. Drawing is bounded (the diagram and the plots cap what they draw), so
// a long run does not make the end of the run slow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/journal.h"
#include "viz/message_labels.h"
#include "viz/op_span.h"
#include "workload/op.h"

namespace squall::harness {

// How many messages messages.svg draws.
inline constexpr int64_t kDiagramMessages = 2000;
// How many messages' bodies the router keeps for messages.tsv (and so for hovering in
// squall serve's diagrams): at most 400 bytes each, so at most ~50 MB however long the run.
inline constexpr int64_t kStoredBodies = 100'000;

struct ArtifactInputs {
  const workload::History* history = nullptr;
  const net::Journal* journal = nullptr;
  std::vector<std::string> endpoint_names;  // journal endpoint index -> name
  const viz::MessageLabels* labels = nullptr;
  int64_t end_ns = 0;  // when the run ended
  std::string title;   // e.g. "broadcast, 5 nodes"
};

// Writes all five files; the first failure is returned, the others still attempted.
Status write_visual_artifacts(const std::string& dir, const ArtifactInputs& in);

// Client operations paired invocation -> completion, and the partition windows
// (exposed for tests).
viz::Ops ops_from_history(const workload::History& history, int64_t end_ns);

}  // namespace squall::harness
