// The linearizability search over one (sub-)history: Wing & Gong / Lowe with memoisation,
// as described in linearizability.h. Internal to src/checker.
//
// Not thread-safe: one SubHistory is searched by one thread. The Budget is shared by all
// searches of a check and is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "checker/linearizability.h"
#include "core/clock.h"
#include "model/model.h"

namespace squall::checker {

struct SubHistory {
  std::optional<history::Value> key;
  std::unique_ptr<model::Session> session;
  // Calls, completed ones first, each group in invocation order.
  std::vector<uint32_t> model_call;  // session call id
  std::vector<size_t> invoke;        // history index of the invocation
  std::vector<int64_t> complete;     // history index of the ok completion; kNoOp if pending
  uint32_t completed = 0;
  std::vector<size_t> all_invocations;  // every non-fail invocation of the key, sorted
};

struct Budget {
  const Clock* clock = nullptr;     // never null during a search; thread-safe
  int64_t deadline_ns = INT64_MAX;  // on clock's axis
  uint64_t timeout_ms = 0;
  uint64_t memory_limit_bytes = 0;  // 0: none
  std::atomic<uint64_t> bytes_in_use{0};
  // Set when any key is invalid: every other search stops, since the verdict is known.
  std::atomic<bool> invalid_found{false};
};

// Searches sub; fills everything in KeyResult but key. A search stopped because another
// key was invalid returns kUnknown with `cancelled` set.
KeyResult search(SubHistory& sub, Budget& budget, bool want_linearization, bool explain, bool* cancelled);

}  // namespace squall::checker
