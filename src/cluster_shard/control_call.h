// ControlCall: one control API request of a shard workload's client as its history
// records it — the invocation, the answer classified (ok with the coordinator's
// result; fail for a definite refusal or a request never sent; info when it may have
// been applied: no answer, an indeterminate one, or one that does not parse) and the
// completion with the result's fields added by the caller. Shared by every controlled
// shard workload so that they all read answers the same way. Not thread-safe: one per
// client thread (as its ControlClient).
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
  workload::OpType type = workload::OpType::kInfo;
  coord::OpResult result;  // when ok
  std::string code;        // a definite refusal's code ("StaleFence"), else empty
  std::string error;       // the completion's :error, e.g. "[:StaleFence]", "[:timeout]"
};

// Sends `line` and classifies what came back (or did not).
ControlAnswer ask(ControlClient& c, const std::string& line);

// What a shard workload's client needs to record one call.
struct CallSite {
  ControlClient* control;
  int64_t process;
  std::string node;
  const std::function<void(workload::Op)>* record;
};

// Records the invocation (f, `inputs`), asks, and records the completion whose value is
// `inputs` with `results(answer, &value)` applied when ok. Returns the answer.
ControlAnswer recorded_call(const CallSite& site, const std::string& f, const std::string& line,
                            const history::Value& inputs,
                            const std::function<void(const ControlAnswer&, history::Value*)>& results);

// Sleeps ms in steps of 20 ms; false once stop is set.
bool nap(int64_t ms, const std::atomic<bool>& stop);

}  // namespace squall::cluster_shard
