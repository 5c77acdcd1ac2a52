// Set-full checker: the convergence checker of grow-only sets (broadcast and g-set).
//
// Input: the adds, in the order they were invoked, and the ok reads, in the order they
// were invoked (SetFullHistory below; the workload builds it from its recorded ops).
// Elements are compared by their compact JSON text. An element is *known* from the
// completion of its ok add, or from the completion of the first read that contained it.
// Only reads that began after an element was known speak about it:
//   stable      - some such read contained it after the last such read that lacked it;
//   lost        - a read lacked it and no later read contained it, or a final read (after
//                 healing and recovery) on any node lacked it: convergence means every
//                 node has every acknowledged element at the end;
//   never-read  - no read said anything about it (indeterminate adds land here);
//   stale       - stable, but some read began after it was known and lacked it.
// Stable latency = last lacking read's start - known time (0 if none), in ms; quantiles
// at 0, 0.5, 0.95, 0.99 and 1. Elements that reads return but nobody added are
// *unexpected*. Verdict: invalid if anything is lost or unexpected; unknown if an
// acknowledged element was never read; valid otherwise (an empty history is valid, as in
// Maelstrom). Pure function of its input; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/value.h"

namespace squall::checker {

// One add invocation. `acknowledged`: it completed ok (a fail, an info or no completion
// at all leave it unacknowledged).
struct SetAdd {
  std::string element;  // compact JSON text
  bool acknowledged = false;
  int64_t complete_ns = 0;  // when the ok completion came; meaningful if acknowledged
};

// One ok read and the elements it returned.
struct SetRead {
  int64_t invoke_ns = 0;
  int64_t complete_ns = 0;
  std::vector<std::string> elements;  // compact JSON text, in the order the node returned them
  std::string node;                   // the node that answered
  bool final = false;                 // a final read (after healing and recovery)
};

struct SetFullHistory {
  std::vector<SetAdd> adds;    // in invocation order
  std::vector<SetRead> reads;  // in invocation order
};

// The result map (:valid? and the counts, lists and examples above).
history::Value check_set_full(const SetFullHistory& history);

}  // namespace squall::checker
