#include "net/journal.h"

namespace squall::net {

void Journal::record(int64_t t_ns, int64_t msg_id, uint32_t src, uint32_t dest, JournalEvent event,
                     bool client_involved) {
  if (entries_.size() < entry_limit_) {
    entries_.push_back(JournalEntry{t_ns, msg_id, src, dest, event});
  } else {
    truncated_ = true;
  }
  TrafficCounts& cls = client_involved ? stats_.clients : stats_.servers;
  switch (event) {
    case JournalEvent::kSend:
      // Every message is sent exactly once, so sends also count distinct messages.
      ++stats_.all.send_count;
      ++stats_.all.msg_count;
      ++cls.send_count;
      ++cls.msg_count;
      break;
    case JournalEvent::kRecv:
      ++stats_.all.recv_count;
      ++cls.recv_count;
      break;
    case JournalEvent::kDrop: ++stats_.dropped_partition; break;
  }
}

}  // namespace squall::net
