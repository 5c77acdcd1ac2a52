// History: the ordered list of ops of one test run, with each invocation paired to its
// completion.
//
// Invariants (enforced by append): ops are in the order they happened; a process has at
// most one invocation outstanding; every completion follows an invocation of the same
// process and has the same f. Not thread-safe for writing; safe to share read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "core/result.h"
#include "history/op.h"

namespace squall::history {

inline constexpr int64_t kNoOp = -1;

// An invocation together with how it ended.
struct Call {
  size_t invoke = 0;            // index of the invocation
  int64_t complete = kNoOp;     // index of the completion; kNoOp while pending
  OpType outcome = OpType::kInfo;  // kOk, kFail or kInfo (pending counts as kInfo)
};

class History {
 public:
  // Limit on ops per history: bounds memory on hostile input.
  static constexpr size_t kOpsMax = 100'000'000;

  // Appends an op (its index is assigned here). The error, without location, says why
  // the op cannot follow the ones before it.
  Status append(Op op);

  const std::vector<Op>& ops() const { return ops_; }
  const Op& operator[](size_t i) const { return ops_[i]; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

  // For an invocation, the index of its completion; kNoOp when it never completed.
  // For a completion, the index of its invocation.
  int64_t match(size_t i) const { return match_[i]; }

  // All invocations in order, with outcomes.
  std::vector<Call> calls() const;

  // Invocation/completion counts, for summaries.
  struct Counts {
    size_t invocations = 0, ok = 0, fail = 0, info = 0, pending = 0;
  };
  Counts counts() const;

 private:
  std::vector<Op> ops_;
  std::vector<int64_t> match_;
  std::map<int64_t, size_t> outstanding_;  // process -> its open invocation
};

}  // namespace squall::history
