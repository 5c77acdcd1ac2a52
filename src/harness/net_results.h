// The :net map of results.edn: message counts of the whole run, of clients and of
// servers (with messages per op), and what the network dropped. `squall test` and
// `squall sim -w` both write it, so Maelstrom's shape is built in one place; each
// caller adds what only its network knows (loss and duplication in simulation).
#pragma once

#include <cstdint>

#include "history/value.h"
#include "net/journal.h"

namespace squall::harness {

// `ops`: client operations invoked, the denominator of :msgs-per-op.
history::Value net_results_map(const net::NetStats& stats, int64_t ops);

}  // namespace squall::harness
