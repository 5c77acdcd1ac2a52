// MessageLabels: what the message diagram prints on the arrows of the first messages.
//
// The network journal keeps no bodies (32 bytes an event is what lets it follow a run at
// a million messages a second). The diagram only ever draws the first `limit` messages,
// so the harness hands every body to note(), and only bodies of message ids 1..limit are
// looked at: past the limit note() is one comparison, which keeps the router's cost flat.
// Message ids are the harness's network ids, dense from 1. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace squall::viz {

struct MessageLabel {
  std::string label;  // "type" plus the other fields when they are short: "broadcast message=5"
  std::string body;   // the body, clipped, for hovering
};

class MessageLabels {
 public:
  explicit MessageLabels(int64_t limit) : limit_(limit) {}

  void note(int64_t msg_id, std::string_view body) {
    if (msg_id < 1 || msg_id > limit_) return;
    note_slow(msg_id, body);
  }
  // nullptr when the message was not noted (past the limit, or never sent).
  const MessageLabel* find(int64_t msg_id) const;
  int64_t limit() const { return limit_; }

  // The arrow label of one body (exposed for tests).
  static std::string label_of(std::string_view body);

 private:
  void note_slow(int64_t msg_id, std::string_view body);
  int64_t limit_;
  std::vector<MessageLabel> labels_;  // index msg_id - 1
};

}  // namespace squall::viz
