// The kafka checker: a pure function from a completed kafka history to a verdict with
// examples of every anomaly it found.
//
// What it builds: per key, the log as far as the history reveals it (offset -> message,
// from acknowledged sends and from successful polls). What it reports, by class (names
// as Maelstrom's results use them):
//   lost-write            an acknowledged send at an offset at or below the highest offset
//                         any poll returned for its key, whose message no poll ever
//                         returned: later data was readable, this never was
//   duplicate             one message at two or more offsets of a key
//   inconsistent-offsets  two or more different messages at one offset of a key
//   nonmonotonic-send     a process's acknowledged sends to a key got offsets that did
//                         not increase
//   nonmonotonic-poll     a process's next poll on a key started at or below where its
//                         previous poll on that key ended
//   int-nonmonotonic-poll offsets not increasing within one poll result
//   poll-skip             between two consecutive polls of a process on a key, offsets
//                         that the history shows exist were jumped over
//   int-poll-skip         the same within one poll result
//   aborted-read          a poll returned a message whose send definitely failed
//   phantom-read          a poll returned a message no send ever carried for that key
//   unseen                acknowledged sends no poll ever returned (by the end of the
//                         history; lost writes are among them)
// Poll positions are tracked per process and forgotten when the process assigns keys,
// crashes, or has an op end in info (a reopened client restarts from committed offsets,
// so going back is then allowed, as in Maelstrom's assign mode). The verdict is valid iff
// no class has a case; Maelstrom's kafka workload (assign, no transactions) tolerates
// none of these.
//
// Thread-safe (pure). Cost: O(n log n) in the number of messages; examples are capped
// at kMaxExamples per class, counts are exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/kafka/event.h"

namespace squall::checker::kafka {

inline constexpr size_t kMaxExamples = 16;

// Count of cases of one anomaly class and the first kMaxExamples of them in history order.
template <typename Case>
struct Cases {
  int64_t count = 0;
  std::vector<Case> examples;

  bool empty() const { return count == 0; }
  void add(Case c) {
    ++count;
    if (examples.size() < kMaxExamples) examples.push_back(std::move(c));
  }
};

struct LostWrite {
  std::string key;
  int64_t offset = 0;
  int64_t msg = 0;
  int64_t send_index = 0;       // the acknowledged send's completion
  int64_t max_read_offset = 0;  // highest offset any poll returned for the key
};

struct Duplicate {
  std::string key;
  int64_t msg = 0;
  std::vector<int64_t> offsets;  // ascending, two or more
};

struct InconsistentOffset {
  std::string key;
  int64_t offset = 0;
  std::vector<int64_t> msgs;  // ascending, two or more
};

struct NonmonotonicSend {
  std::string key;
  int64_t process = 0;
  int64_t prev_offset = 0;
  int64_t offset = 0;
  int64_t prev_index = 0;
  int64_t index = 0;
};

// A poll anomaly between two consecutive messages a process polled on one key: going
// back (nonmonotonic) or jumping over known offsets (skip).
struct PollStep {
  std::string key;
  int64_t process = 0;
  int64_t prev_offset = 0;
  int64_t offset = 0;
  int64_t prev_index = 0;                // poll op that returned prev_offset
  int64_t index = 0;                     // poll op that returned offset
  int64_t skipped = 0;                   // skips: how many known offsets lie strictly between
  std::vector<int64_t> skipped_offsets;  // skips: the first few of them
};

struct BadRead {
  std::string key;
  int64_t offset = 0;
  int64_t msg = 0;
  int64_t poll_index = 0;
  int64_t send_index = -1;  // aborted-read: the failed send; phantom-read: -1
};

struct Unseen {
  std::string key;
  int64_t msg = 0;
  std::optional<int64_t> offset;
  int64_t send_index = 0;
};

struct Stats {
  int64_t ops = 0;
  int64_t send_ok = 0, send_fail = 0, send_info = 0;
  int64_t poll_ok = 0, poll_fail = 0, poll_info = 0;
  int64_t polled_msgs = 0;  // messages returned by all ok polls
  int64_t keys = 0;
  int64_t send_ok_without_offset = 0;  // malformed acknowledgements (no offset)
};

struct CheckResult {
  bool valid = true;
  Stats stats;
  Cases<LostWrite> lost_write;
  Cases<Duplicate> duplicate;
  Cases<InconsistentOffset> inconsistent_offsets;
  Cases<NonmonotonicSend> nonmonotonic_send;
  Cases<PollStep> nonmonotonic_poll;
  Cases<PollStep> int_nonmonotonic_poll;
  Cases<PollStep> poll_skip;
  Cases<PollStep> int_poll_skip;
  Cases<BadRead> aborted_read;
  Cases<BadRead> phantom_read;
  Cases<Unseen> unseen;

  // Names of the classes with at least one case, in the order declared above.
  std::vector<std::string> error_types() const;
};

// Checks a history given in order. Ops that do not belong to the workload's shape
// (e.g. an ok send without an offset) are counted in stats, never fatal.
CheckResult check(const std::vector<Event>& history);

// The result as one JSON object (deterministic member order), for results files.
std::string to_json(const CheckResult& result);

// A few human-readable lines: verdict, counts, first example of each class.
std::string summary(const CheckResult& result);

}  // namespace squall::checker::kafka
