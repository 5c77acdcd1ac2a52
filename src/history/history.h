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
#include <string>
#include <vector>

#include "core/result.h"
#include "history/op.h"

namespace squall::history {

inline constexpr int64_t kNoOp = -1;

// An invocation together with how it ended.
struct Call {
  size_t invoke = 0;               // index of the invocation
  int64_t complete = kNoOp;        // index of the completion; kNoOp while pending
  OpType outcome = OpType::kInfo;  // kOk, kFail or kInfo (pending counts as kInfo)
};

class History {
 public:
  // Limit on ops per history: bounds memory on hostile input.
  static constexpr size_t kOpsMax = 100'000'000;

  // Room for `ops` ops without moving the ones held: a reader that can estimate the count
  // avoids the copy a growing vector makes, which would briefly double the memory held.
  void reserve(size_t ops) {
    ops_.reserve(ops);
    match_.reserve(ops);
  }

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

  // Ops of processes that are not clients (:nemesis and other named processes) that the
  // reader left out: linearizability concerns client ops only, as in Knossos. Counted so
  // that a summary can say what was set aside rather than drop it in silence.
  size_t ignored_ops() const { return ignored_ops_; }
  void count_ignored_op() { ++ignored_ops_; }

  // Set when reading stopped early because a time or memory budget ran out: the ops held
  // are then only a prefix of the source, and no verdict may be drawn from them. Empty for
  // a history read in full.
  const std::string& incomplete() const { return incomplete_; }
  void mark_incomplete(std::string why) { incomplete_ = std::move(why); }

  // An estimate of the bytes this history holds (ops, their values, the pairing), kept up
  // to date by append() so that readers can enforce a memory budget cheaply.
  size_t memory_bytes() const { return bytes_; }

 private:
  std::vector<Op> ops_;
  std::vector<int64_t> match_;
  std::map<int64_t, size_t> outstanding_;  // process -> its open invocation
  size_t ignored_ops_ = 0;
  size_t bytes_ = 0;
  std::string incomplete_;
};

}  // namespace squall::history
