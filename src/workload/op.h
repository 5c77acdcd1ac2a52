// Op: one entry of a test history, in Jepsen's sense.
//
// An invocation (kInvoke) and its completion (kOk, kFail or kInfo = indeterminate) are
// two ops sharing a process. Values are stored as compact JSON text so that any workload
// can carry any value (a set read, an id of any JSON type) and the store can render it as
// EDN or JSON without knowing the workload. Nemesis ops use process kNemesisProcess and
// type kInfo. Plain data; not synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history/op.h"

namespace squall::workload {

// The one OpType of every history (invoke, ok, fail, info), named by history::to_string.
using history::OpType;

inline constexpr int64_t kNemesisProcess = -1;

struct Op {
  OpType type = OpType::kInvoke;
  std::string f;               // e.g. "broadcast", "read", "start-partition"
  std::string value = "null";  // JSON text
  int64_t process = 0;         // client process id, or kNemesisProcess
  int64_t time_ns = 0;         // nanoseconds since the test began
  int64_t index = -1;          // position in the history
  std::string node;            // the node a client op was sent to ("" for the nemesis)
  std::string error;           // EDN text explaining a fail/info, e.g. "[:timeout]"; "" if none
  // The code of the error reply that completed the op (proto/error_code.h), if one did.
  // Checkers branch on this, never on the text of `error`, which is for people.
  std::optional<int64_t> error_code;
  bool final = false;  // issued in the final phase (after healing and recovery)
};

using History = std::vector<Op>;

// For every invocation, the index of its completion in `history`, or -1 if it never
// completed (the run ended first). Indexed by history position; non-invocations get -2.
std::vector<int64_t> pair_completions(const History& history);

}  // namespace squall::workload
