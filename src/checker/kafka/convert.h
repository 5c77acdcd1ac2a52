// Conversion of generic history ops (type, f, value as JSON text) into kafka::Event.
//
// The harness records every op with its value as JSON text; the kafka checker wants
// typed ops. Two value shapes are accepted for send and poll:
//   object form (Squall's kafka workload):
//     send   {"key":"k","msg":5}  and on ok  {"key":"k","msg":5,"offset":3}
//     poll   on ok {"msgs":{"k":[[3,5],[4,6]]}}  (invocation value ignored)
//   micro-op form (Jepsen/Maelstrom histories, one micro-op per op):
//     send   [["send","k",5]]  and on ok  [["send","k",[3,5]]]
//     poll   [["poll"]]        and on ok  [["poll",{"k":[[3,5]]}]]
// and for the rest: commit_offsets {"offsets":{"k":3}}; list_committed_offsets
// {"keys":["k"]} and on ok {"offsets":{"k":3}} (a bare map or array is also taken);
// assign {"keys":[...]} or a bare array of keys; crash: any value.
// Keys may be strings or integers (integers are rendered as decimal strings, as
// Maelstrom does). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "checker/kafka/event.h"
#include "core/result.h"

namespace squall::checker::kafka {

// Errors say which member of which op is wrong, e.g. "op 12 (send ok): offset must be an
// integer", so a user can find it in the history.
Result<Event> op_from_json(std::string_view type, std::string_view f, std::string_view value_json, int64_t process,
                           int64_t time_ns, int64_t index);

}  // namespace squall::checker::kafka
