// Op: one event of a history — an invocation or its completion (ok, fail, info) by one
// client process, in the Jepsen sense.
//
// Plain data; safe to share read-only. Meaning of the outcomes: `ok` happened with the
// completion's value as its result; `fail` surely did not happen; `info` is indeterminate
// (it may have taken effect at any time after its invocation, or never), as is an
// invocation that never completes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "history/value.h"

namespace squall::history {

enum class OpType : uint8_t { kInvoke, kOk, kFail, kInfo };

std::string_view to_string(OpType t);                       // "invoke", "ok", "fail", "info"
std::optional<OpType> op_type_from(std::string_view name);  // accepts with or without ':'

struct Op {
  int64_t index = -1;  // position in its History, assigned by History::append
  OpType type = OpType::kInvoke;
  int64_t process = 0;       // client process (nemesis ops are not kept in a History)
  std::string f;             // operation name without ':' ("read", "cas", "append")
  Value value;               // argument on invocations, result on completions
  std::optional<Value> key;  // the :key field of keyed (kv) histories
  int64_t time_ns = -1;      // -1 when the source has no times
  int line = 0;              // source line, for messages; 0 when built in memory
};

// One-line human rendering: "p3 :invoke :cas [1 2]" (plus " key=k" when keyed).
std::string describe(const Op& op);

}  // namespace squall::history
