// The run's drawings, written at the end of a run (part of Runner, see runner.h).
#include <fmt/format.h>

#include "harness/artifacts.h"
#include "harness/runner.h"

namespace squall::harness {

void Runner::write_visuals(int64_t end_ns) {
  ArtifactInputs in;
  in.history = &history_;
  const net::Network& net = router_->network();
  in.journal = &net.journal();
  for (size_t i = 0; i < net.endpoint_count(); ++i) in.endpoint_names.push_back(net.name(static_cast<int>(i)));
  in.labels = &router_->message_labels();
  in.end_ns = end_ns;
  in.title = fmt::format("{}, {} nodes: operations", workload_->name(), config_.node_count);
  // Drawings are a convenience: failing to write one is logged, never a verdict.
  if (auto st = write_visual_artifacts(store_->dir(), in); !st.ok()) note(st.error());
}

}  // namespace squall::harness
