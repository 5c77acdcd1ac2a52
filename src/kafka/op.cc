#include "kafka/op.h"

namespace squall::kafka {

const char* to_string(OpType type) {
  switch (type) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kFail: return "fail";
    case OpType::kInfo: return "info";
  }
  return "?";
}

const char* to_string(OpF f) {
  switch (f) {
    case OpF::kSend: return "send";
    case OpF::kPoll: return "poll";
    case OpF::kCommitOffsets: return "commit_offsets";
    case OpF::kListCommittedOffsets: return "list_committed_offsets";
    case OpF::kAssign: return "assign";
    case OpF::kCrash: return "crash";
  }
  return "?";
}

}  // namespace squall::kafka
