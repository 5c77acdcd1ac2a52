#include "worker/fault.h"

namespace squall::worker {

std::string_view fault_name(Fault f) {
  switch (f) {
    case Fault::SkipFenceCheck: return "skip-fence-check";
    case Fault::IgnoreLiveLease: return "ignore-live-lease";
    case Fault::CheckpointBeforeFindings: return "checkpoint-before-findings";
    case Fault::NonIdempotentFindings: return "non-idempotent-findings";
  }
  return "?";
}

const std::vector<Fault>& all_faults() {
  static const std::vector<Fault> kAll = {Fault::SkipFenceCheck, Fault::IgnoreLiveLease,
                                          Fault::CheckpointBeforeFindings, Fault::NonIdempotentFindings};
  return kAll;
}

std::optional<Fault> parse_fault(std::string_view name) {
  for (Fault f : all_faults()) {
    if (fault_name(f) == name) return f;
  }
  return std::nullopt;
}

}  // namespace squall::worker
