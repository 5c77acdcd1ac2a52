// Linearizability checking of a history against a sequential model: the library entry
// point behind `squall check` and the lin-kv workload.
//
// Algorithm: Wing & Gong's search with Lowe's memoisation of (linearized set, state), an
// O(1) incremental hash of the linearized set, and P-compositionality: a keyed history is
// split by key and each key checked on its own, in parallel on a small thread pool,
// smallest keys first. The first invalid key cancels all other searches. Pending calls (`info`, or invoked and never
// completed) may take effect at any point after their invocation or never; equal pending calls are tried in invocation
// order only (symmetry reduction). `fail` calls did not happen and are dropped.
//
// Budgets: exceeding the time or memory budget gives Verdict::kUnknown with the reason,
// never kInvalid. Determinism: the verdict is the same on every run (budgets aside); with
// threads = 1, or when one key is invalid, so is every explanation. With several threads
// and several invalid keys, which of them get reported depends on timing.
//
// Example (the lin-kv workload: one cas-register per key; a read of a missing key is
// recorded as an ok read of nil, which must mean "the key held nil", not Knossos's
// "value unknown"):
//
//   squall::model::ModelOptions mo;
//   mo.nil_read = squall::model::NilRead::kStrict;
//   auto model = squall::model::make_model("cas-register", mo).value();
//   squall::checker::CheckOptions opt;           // splits keyed histories by key
//   opt.timeout_ms = 30'000;
//   auto result = squall::checker::check_linearizable(history, *model, opt);
//   if (!result.ok()) { /* a malformed op: result.error() says which */ }
//   else if (result->verdict == Verdict::kInvalid) { explain_text(history, *result) ... }
//
// Thread-safety: check_linearizable may be called concurrently on different histories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/verdict.h"
#include "history/history.h"
#include "model/model.h"

namespace squall::checker {

struct CheckOptions {
  // Check each key of a keyed history on its own. Keys are independent objects in every
  // model (a kv map's keys too), so this is the default; false forces one search over the
  // whole history, for models whose state spans keys (kv, multi-register). Single-object
  // models (register, cas-register, ...) always split a keyed history.
  bool split_by_key = true;
  uint64_t timeout_ms = 0;  // whole check; 0 = none
  // The time source of the time budget and of elapsed_ms; null: the host's steady clock.
  // Tests inject a fake clock to exercise the time-out without racing real time.
  const Clock* clock = nullptr;
  uint64_t memory_limit_bytes = 0;  // all searches together; 0 = none
  int threads = 0;                  // 0 = one per hardware thread, at most 8
  bool want_linearization = false;  // record a linearization order for valid keys
  bool explain = true;              // record the explanation of invalid keys
};

// Why a key is not linearizable.
struct Explanation {
  size_t failing_op = 0;            // history index of the invocation that cannot be linearized
  std::vector<size_t> prefix;       // longest linearizable prefix found: invocation indices, in order
  std::vector<std::string> states;  // model states reached after the prefix, from which failing_op
                                    // could not be linearized before its completion (sorted, <= 16)
  size_t states_total = 0;          // how many distinct such states there were
};

struct SearchStats {
  uint64_t steps = 0;           // search iterations
  uint64_t configurations = 0;  // memo entries
  uint64_t peak_bytes = 0;      // memo + model at the end of the search
  double elapsed_ms = 0;
};

struct KeyResult {
  std::optional<history::Value> key;  // none when the history is checked whole
  Verdict verdict = Verdict::kValid;
  std::string reason;         // unknown: the budget exceeded; invalid: a summary
  std::vector<size_t> calls;  // invocation indices of this key (fail calls excluded)
  std::optional<Explanation> explanation;
  std::vector<size_t> linearization;  // invocation indices in a valid order, when requested
  SearchStats stats;
};

struct LinearizabilityResult {
  Verdict verdict = Verdict::kValid;
  std::string model;
  std::vector<KeyResult> keys;  // in key order; keys cancelled by an invalid one are left out
  size_t keys_total = 0;
  size_t keys_not_reported = 0;  // cancelled because another key was invalid
  SearchStats stats;             // totals
};

// Checks the history. Errors only for ops the model cannot read (naming the op).
Result<LinearizabilityResult> check_linearizable(const history::History& h, const model::Model& m,
                                                 const CheckOptions& options = {});

}  // namespace squall::checker
