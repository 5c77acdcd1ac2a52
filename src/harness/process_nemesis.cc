#include "harness/process_nemesis.h"

#include <algorithm>

#include "core/assert.h"

namespace squall::harness {

const char* process_fault_name(ProcessFault f) {
  switch (f) {
    case ProcessFault::kKill: return "kill";
    case ProcessFault::kRestart: return "restart";
    case ProcessFault::kPause: return "pause";
    case ProcessFault::kResume: return "resume";
  }
  return "?";
}

const char* process_fault_op(ProcessFault f) {
  switch (f) {
    case ProcessFault::kKill: return "kill";
    case ProcessFault::kRestart: return "start";
    case ProcessFault::kPause: return "pause";
    case ProcessFault::kResume: return "resume";
  }
  return "?";
}

std::vector<ProcessFaultEvent> process_fault_schedule(const std::string& kind, int n, double interval_s,
                                                      int64_t duration_ns, Rng rng) {
  SQ_ASSERT(kind == "kill" || kind == "pause");
  std::vector<ProcessFaultEvent> out;
  if (n < 1 || duration_ns <= 0) return out;
  const bool kill = kind == "kill";
  const double max_gap_ns = 2 * interval_s * 1e9;
  int64_t t = 0;
  while (true) {
    t += static_cast<int64_t>(rng.unit() * max_gap_ns);
    if (t >= duration_ns) break;
    int node = static_cast<int>(rng.below(static_cast<uint64_t>(n)));
    out.push_back({t, kill ? ProcessFault::kKill : ProcessFault::kPause, node});
    t = std::min(duration_ns, t + 1 + static_cast<int64_t>(rng.unit() * max_gap_ns));
    out.push_back({t, kill ? ProcessFault::kRestart : ProcessFault::kResume, node});
  }
  return out;
}

std::vector<ProcessFaultEvent> merge_schedules(std::vector<std::vector<ProcessFaultEvent>> schedules) {
  std::vector<ProcessFaultEvent> out;
  for (auto& s : schedules) out.insert(out.end(), s.begin(), s.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const ProcessFaultEvent& a, const ProcessFaultEvent& b) { return a.at_ns < b.at_ns; });
  return out;
}

}  // namespace squall::harness
