#include "sim/stats.h"

namespace squall::sim {

const char* to_string(Invariant i) {
  switch (i) {
    case Invariant::S1MutualExclusion: return "Lease exclusivity (S1)";
    case Invariant::S2FenceMonotonic: return "Fence monotonicity (S2)";
    case Invariant::S3TerminalIrreversible: return "Terminal irreversibility (S3)";
    case Invariant::S4RecordInvariants: return "Record invariants (S4)";
    case Invariant::S5CursorMonotonic: return "Cursor monotonicity (S5)";
    case Invariant::S6CursorInBounds: return "Cursor within bounds (S6)";
    case Invariant::S7SplitCoverage: return "Split coverage (S7)";
    case Invariant::S8RunTerminal: return "Run terminal irreversibility (S8)";
    case Invariant::S9ClaimCooldown: return "Claim cooldown (S9)";
    case Invariant::ZombieRejection: return "Zombie rejection";
    case Invariant::ExactlyOnceOps: return "Op applied at most once";
    case Invariant::EndToEnd: return "End-to-end exactly-once";
    case Invariant::Liveness: return "Liveness (all terminal)";
    case Invariant::WorkerConduct: return "Worker lease conduct";
    case Invariant::ModelAssertion: return "Model record assertion";
  }
  return "?";
}

const char* to_string(Fault f) {
  switch (f) {
    case Fault::MsgLoss: return "message loss";
    case Fault::MsgDuplicate: return "message duplication";
    case Fault::MsgDelay: return "message delay/reorder";
    case Fault::Partition: return "partition";
    case Fault::Pause: return "worker pause";
    case Fault::TimeJump: return "time jump";
    case Fault::ClockSkew: return "clock skew";
    case Fault::LeaseExpiry: return "lease expiry (renewals stop)";
    case Fault::Crash: return "crash-restart";
    case Fault::StaleReplay: return "stale request replay";
    case Fault::CommitFailed: return "backend commit failed";
    case Fault::CommitAmbiguous: return "backend commit ambiguous";
  }
  return "?";
}

uint64_t Stats::op_total(coord::OpKind k) const {
  uint64_t n = 0;
  for (uint64_t v : ops[static_cast<size_t>(k) - 1]) n += v;
  return n;
}

void Stats::merge(const Stats& o) {
  for (size_t k = 0; k < ops.size(); ++k)
    for (size_t j = 0; j < kReplyClassCount; ++j) ops[k][j] += o.ops[k][j];
  for (size_t i = 0; i < faults.size(); ++i) faults[i] += o.faults[i];
  for (size_t i = 0; i < checks.size(); ++i) checks[i] += o.checks[i];
  for (size_t i = 0; i < violations.size(); ++i) violations[i] += o.violations[i];
  coord_ops += o.coord_ops;
  steps += o.steps;
  simulated_ms += o.simulated_ms;
  items_processed += o.items_processed;
  findings_deduplicated += o.findings_deduplicated;
}

}  // namespace squall::sim
