// StdinBudget: how many bytes may wait, across all nodes of a run, for nodes to read them.
//
// A node that stops reading its stdin makes the harness queue what is sent to it. The
// limit is one budget for the whole run, shared by every NodeProcess, so that eight
// stalled nodes cost what one does, not eight times as much. Each NodeProcess charges
// the bytes it has queued and releases them as they are written or when it dies.
// Plain data; not thread-safe.
#pragma once

#include <cstddef>

namespace squall::harness {

inline constexpr size_t kDefaultStdinBudget = 256u << 20;

struct StdinBudget {
  size_t limit = kDefaultStdinBudget;
  size_t queued = 0;  // bytes charged by all nodes together

  bool allows(size_t more) const { return queued + more <= limit; }
};

}  // namespace squall::harness
