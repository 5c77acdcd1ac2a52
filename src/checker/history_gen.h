// Generated register histories for tests and benchmarks: concurrent clients on a
// simulated cas-register (one per key) whose every op takes effect at a random instant
// between its invocation and completion, so the history is linearizable unless stale
// reads are injected. Crashed ops complete as `info` (taking effect or not at random) and
// their process is replaced by a fresh one, as Jepsen does.
//
// Deterministic: the same options give the same history. Thread-safe (no shared state).
#pragma once

#include <cstdint>

#include "history/history.h"

namespace squall::checker {

struct GenOptions {
  uint64_t seed = 1;
  uint32_t processes = 5;          // concurrent clients
  uint64_t ops = 100;              // invocations
  uint32_t keys = 0;               // 0: one unkeyed register; else ops carry :key 0..keys-1
  uint32_t values = 5;             // written values are 0..values-1
  uint32_t crash_percent = 0;      // ops completing as info
  uint32_t stale_read_percent = 0; // reads returning the value before the latest write (a bug)
  bool cas = true;                 // mix in cas ops
};

history::History generate_register_history(const GenOptions& options);

}  // namespace squall::checker
