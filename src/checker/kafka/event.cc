#include "checker/kafka/event.h"

namespace squall::checker::kafka {

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

}  // namespace squall::checker::kafka
