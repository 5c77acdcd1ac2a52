// Process faults of the nemesis: kill (crash, then restart with a fresh init) and pause
// (stop, then continue), computed up front from the seed like the partition schedule.
//
// One schedule per kind. Faults of one kind never overlap: a fault starts after a gap
// uniform in [0, 2 x interval], hits one node drawn from the seed, and ends (restart,
// resume) after another such gap, at the latest when the main phase ends, so every node
// is back for recovery and the final reads. `squall test` applies them to real processes
// (SIGKILL and a new process; SIGSTOP/SIGCONT); `squall sim -w` to in-process node cores.
// Pure data once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"

namespace squall::harness {

enum class ProcessFault { kKill, kRestart, kPause, kResume };

struct ProcessFaultEvent {
  int64_t at_ns = 0;  // since the main phase began
  ProcessFault fault = ProcessFault::kKill;
  int node = 0;
};

// "kill", "restart", "pause", "resume".
const char* process_fault_name(ProcessFault f);
// The history's f of the op: "kill"/"start" style pairs as Jepsen names them.
const char* process_fault_op(ProcessFault f);

// The schedule of `kind` ("kill" or "pause") for `duration_ns` of main phase.
std::vector<ProcessFaultEvent> process_fault_schedule(const std::string& kind, int node_count, double interval_s,
                                                      int64_t duration_ns, Rng rng);

// Merges schedules into one list ordered by time (stable: ties keep the input order).
std::vector<ProcessFaultEvent> merge_schedules(std::vector<std::vector<ProcessFaultEvent>> schedules);

}  // namespace squall::harness
