// Generated register and kv histories for tests and benchmarks: concurrent clients on a
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
  uint32_t processes = 5;           // concurrent clients
  uint64_t ops = 100;               // invocations
  uint32_t keys = 0;                // 0: one unkeyed register; else ops carry :key 0..keys-1
  uint32_t values = 5;              // written values are 0..values-1
  uint32_t crash_percent = 0;       // ops completing as info
  uint32_t stale_read_percent = 0;  // reads returning the value before the latest write (a bug)
  bool cas = true;                  // mix in cas ops
  // Chance that an idle client, when scheduled, keeps thinking instead of invoking (as
  // Jepsen's stagger): 0 keeps every client busy, so about `processes` ops are in flight
  // at once; 90 leaves about a quarter of them busy, with short ops between long gaps.
  uint32_t think_percent = 0;
};

history::History generate_register_history(const GenOptions& options);

// The same for the kv model (get/put/append of strings, per key): appends of unique
// pieces, puts now and then; `values` is unused, `stale_read_percent` makes gets return
// the string before the latest change, and `cas` is ignored.
history::History generate_kv_history(const GenOptions& options);

}  // namespace squall::checker
