// What the controlled shard workloads (lease-exclusivity, concurrent-acquisition,
// split-correctness) share on the client side: one control API call recorded as an
// invocation and its completion (ok answers carry fence, deadline-ms, the shard a
// claim got and the ids a split spawned), interruptible naps, corpus key indexes, and
// the result rows their checkers build. Stateless functions; thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "cluster_shard/control_client.h"
#include "coord/ops.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster_shard {

struct ControlAnswer {
  workload::OpType type = workload::OpType::kInfo;  // kOk, kFail (definite) or kInfo
  coord::OpResult result;                           // when kOk
  std::string error;                                // "[:StaleFence]", "[:timeout]", …
};

// Records the invocation (f, invoke_value) of process t on `node`, sends `line`, and
// records the completion: ok with the result's fields added to invoke_value, fail on a
// definite error or when nothing was sent, info when the outcome is unknown.
ControlAnswer recorded_call(ControlClient& c, int t, const std::string& node, const std::string& f,
                            const std::string& line, const history::Value& invoke_value,
                            const std::function<void(workload::Op)>& record);

// Sleeps ms in small steps; false once stop is set.
bool nap(int64_t ms, const std::atomic<bool>& stop);

// The item number of a corpus key ("c00000042" → 42); `dflt` for "" (an open end).
uint32_t key_index(const std::string& key, uint32_t dflt);

// An int field of a map, -1 when absent or not an int.
int64_t int_field(const history::Value& m, const char* k);

// One row of a result's :invariants table.
history::Value invariant_row(const std::string& name, bool pass, int64_t checks);

}  // namespace squall::cluster_shard
