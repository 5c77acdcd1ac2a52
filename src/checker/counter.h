// Counter checker: the checker of g-counter and pn-counter.
//
// Input: the add invocations in invocation order, each with its delta and outcome, and
// the ok reads (CounterHistory below; the workload builds it from its recorded ops).
// Every final read must equal the sum of the ok adds plus the deltas of some subset of
// the indeterminate (info, or never completed) adds; failed adds surely did not happen.
// The set of reachable subset sums is computed exactly (a bitset over the delta range)
// while it stays under kSubsetCellLimit cells, else relaxed to the interval between the
// sum of the negative and the sum of the positive indeterminate deltas. Every other read
// must lie within what adds invoked before the read completed could possibly have
// produced. Verdict: invalid if any read breaks these bounds; unknown if no final read
// succeeded; valid otherwise. Pure function of its input; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/op.h"
#include "history/value.h"

namespace squall::checker {

inline constexpr int64_t kSubsetCellLimit = 50'000'000;

struct CounterAdd {
  int64_t invoke_ns = 0;
  int64_t delta = 0;
  history::OpType outcome = history::OpType::kInfo;  // ok, fail or info (info if it never completed)
};

// One ok read and where it came from (named in the report's examples).
struct CounterRead {
  int64_t invoke_ns = 0;
  int64_t complete_ns = 0;
  int64_t value = 0;
  std::string node;
  int64_t index = 0;   // the completion's position in the recorded history
  bool final = false;  // a final read (after healing and recovery)
};

struct CounterHistory {
  std::vector<CounterAdd> adds;    // in invocation order
  std::vector<CounterRead> reads;  // in invocation order
};

// The result map: :valid?, :final-reads, :acceptable (up to 16 [lo hi] spans of final
// values), counts and up to 8 :errors.
history::Value check_counter(const CounterHistory& history);

}  // namespace squall::checker
