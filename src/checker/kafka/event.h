// kafka::Event: one op of a kafka history, decoded into the shape the kafka checker reads
// (the checker's input view of a history, not a third kind of op).
//
// convert.h decodes recorded ops (values as JSON text) into these: one Event per
// invocation and one per completion, in history order. Only the members that belong to an op's `f` are
// meaningful (see each member). Messages are integers, as the kafka workload sends
// them. A plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/op.h"

namespace squall::checker::kafka {

using history::OpType;  // the one OpType: invoke, ok, fail, info

enum class OpF {
  kSend,                  // key, msg; offset on ok
  kPoll,                  // polled on ok
  kCommitOffsets,         // offsets
  kListCommittedOffsets,  // keys; offsets on ok
  kAssign,                // keys: the process's poll positions are reset
  kCrash,                 // the client was torn down: its poll positions are reset
};

// One message of a poll result.
struct OffsetMsg {
  int64_t offset = 0;
  int64_t msg = 0;
};

struct Event {
  int64_t index = 0;    // position in the full history, used in examples
  int64_t process = 0;  // the client process; a crashed client should come back as a new one
  OpType type = OpType::kInvoke;
  OpF f = OpF::kSend;
  int64_t time_ns = 0;

  std::string key;                // send
  int64_t msg = 0;                // send
  std::optional<int64_t> offset;  // send, on ok: the offset the node assigned

  // poll, on ok: messages per key in the order the node returned them.
  std::map<std::string, std::vector<OffsetMsg>> polled;

  std::map<std::string, int64_t> offsets;  // commit_offsets; list_committed_offsets on ok
  std::vector<std::string> keys;           // assign; list_committed_offsets
};

const char* to_string(OpF f);

}  // namespace squall::checker::kafka
