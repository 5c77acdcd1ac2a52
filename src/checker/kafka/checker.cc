#include "checker/kafka/checker.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace squall::checker::kafka {
namespace {

// Everything the history reveals about one key's log.
struct KeyLog {
  std::map<int64_t, std::set<int64_t>> msgs_at;     // offset -> messages seen there
  std::map<int64_t, std::set<int64_t>> offsets_of;  // message -> offsets it was seen at
  std::set<int64_t> read_msgs;                      // returned by some ok poll
  std::optional<int64_t> max_read_offset;
  std::set<int64_t> sent_msgs;                   // carried by any send op, whatever its outcome
  std::set<int64_t> maybe_sent_msgs;             // sends that ended ok or info (or never ended)
  std::map<int64_t, int64_t> failed_send_index;  // message -> index of its failed send
  std::vector<int64_t> known_offsets;            // sorted keys of msgs_at

  void note(int64_t offset, int64_t msg) {
    msgs_at[offset].insert(msg);
    offsets_of[msg].insert(offset);
  }

  // Known offsets strictly between a and b (a < b).
  std::pair<int64_t, std::vector<int64_t>> between(int64_t a, int64_t b) const {
    auto lo = std::upper_bound(known_offsets.begin(), known_offsets.end(), a);
    auto hi = std::lower_bound(known_offsets.begin(), known_offsets.end(), b);
    if (hi <= lo) return {0, {}};
    std::vector<int64_t> first(lo, lo + std::min<std::ptrdiff_t>(hi - lo, 8));
    return {hi - lo, std::move(first)};
  }
};

using Logs = std::map<std::string, KeyLog>;

// First pass: build every key's log and the per-key message sets.
Logs build_logs(const std::vector<Event>& history, Stats* stats) {
  Logs logs;
  for (const Event& op : history) {
    if (op.f == OpF::kSend) {
      KeyLog& log = logs[op.key];
      log.sent_msgs.insert(op.msg);
      if (op.type == OpType::kFail) {
        log.failed_send_index.emplace(op.msg, op.index);
      } else if (op.type != OpType::kInvoke) {
        log.maybe_sent_msgs.insert(op.msg);
      }
      if (op.type == OpType::kOk) {
        ++stats->send_ok;
        if (op.offset) {
          log.note(*op.offset, op.msg);
        } else {
          ++stats->send_ok_without_offset;
        }
      }
      if (op.type == OpType::kFail) ++stats->send_fail;
      if (op.type == OpType::kInfo) ++stats->send_info;
    } else if (op.f == OpF::kPoll) {
      if (op.type == OpType::kFail) ++stats->poll_fail;
      if (op.type == OpType::kInfo) ++stats->poll_info;
      if (op.type != OpType::kOk) continue;
      ++stats->poll_ok;
      for (const auto& [key, pairs] : op.polled) {
        KeyLog& log = logs[key];
        for (const OffsetMsg& p : pairs) {
          ++stats->polled_msgs;
          log.note(p.offset, p.msg);
          log.read_msgs.insert(p.msg);
          log.max_read_offset = std::max(log.max_read_offset.value_or(p.offset), p.offset);
        }
      }
    }
  }
  for (auto& [key, log] : logs) {
    log.known_offsets.reserve(log.msgs_at.size());
    for (const auto& [offset, msgs] : log.msgs_at) log.known_offsets.push_back(offset);
  }
  stats->keys = static_cast<int64_t>(logs.size());
  return logs;
}

void check_offsets(const Logs& logs, CheckResult* r) {
  for (const auto& [key, log] : logs) {
    for (const auto& [offset, msgs] : log.msgs_at) {
      if (msgs.size() > 1) r->inconsistent_offsets.add({key, offset, {msgs.begin(), msgs.end()}});
    }
    for (const auto& [msg, offsets] : log.offsets_of) {
      if (offsets.size() > 1) r->duplicate.add({key, msg, {offsets.begin(), offsets.end()}});
    }
  }
}

// Lost writes and unseen messages, over acknowledged sends in history order.
void check_acknowledged(const std::vector<Event>& history, const Logs& logs, CheckResult* r) {
  for (const Event& op : history) {
    if (op.f != OpF::kSend || op.type != OpType::kOk) continue;
    const KeyLog& log = logs.at(op.key);
    if (log.read_msgs.count(op.msg)) continue;
    r->unseen.add({op.key, op.msg, op.offset, op.index});
    if (op.offset && log.max_read_offset && *op.offset <= *log.max_read_offset) {
      r->lost_write.add({op.key, *op.offset, op.msg, op.index, *log.max_read_offset});
    }
  }
}

void check_sends(const std::vector<Event>& history, CheckResult* r) {
  struct Last {
    int64_t offset;
    int64_t index;
  };
  std::map<std::pair<int64_t, std::string>, Last> last;  // (process, key) -> last ok send
  for (const Event& op : history) {
    if (op.f != OpF::kSend || op.type != OpType::kOk || !op.offset) continue;
    auto [it, fresh] = last.try_emplace({op.process, op.key}, Last{*op.offset, op.index});
    if (fresh) continue;
    if (*op.offset <= it->second.offset) {
      r->nonmonotonic_send.add({op.key, op.process, it->second.offset, *op.offset, it->second.index, op.index});
    }
    it->second = Last{*op.offset, op.index};
  }
}

void check_polls(const std::vector<Event>& history, const Logs& logs, CheckResult* r) {
  struct Position {
    int64_t offset;
    int64_t index;
    size_t seq;  // position of the poll in `history`: tells "same poll" without trusting index
  };
  std::map<int64_t, std::map<std::string, Position>> positions;  // process -> key -> last polled
  for (size_t seq = 0; seq < history.size(); ++seq) {
    const Event& op = history[seq];
    bool resets = op.f == OpF::kAssign || op.f == OpF::kCrash || op.type == OpType::kInfo;
    if (resets) {
      positions.erase(op.process);
      continue;
    }
    if (op.f != OpF::kPoll || op.type != OpType::kOk) continue;
    auto& mine = positions[op.process];
    for (const auto& [key, pairs] : op.polled) {
      const KeyLog& log = logs.at(key);
      for (const OffsetMsg& p : pairs) {
        auto it = mine.find(key);
        if (it != mine.end()) {
          const Position prev = it->second;
          bool within = prev.seq == seq;
          PollStep step{key, op.process, prev.offset, p.offset, prev.index, op.index, 0, {}};
          if (p.offset <= prev.offset) {
            (within ? r->int_nonmonotonic_poll : r->nonmonotonic_poll).add(std::move(step));
          } else {
            auto [count, first] = log.between(prev.offset, p.offset);
            if (count > 0) {
              step.skipped = count;
              step.skipped_offsets = std::move(first);
              (within ? r->int_poll_skip : r->poll_skip).add(std::move(step));
            }
          }
        }
        mine[key] = Position{p.offset, op.index, seq};
      }
    }
  }
}

void check_reads(const std::vector<Event>& history, const Logs& logs, CheckResult* r) {
  for (const Event& op : history) {
    if (op.f != OpF::kPoll || op.type != OpType::kOk) continue;
    for (const auto& [key, pairs] : op.polled) {
      const KeyLog& log = logs.at(key);
      for (const OffsetMsg& p : pairs) {
        if (!log.sent_msgs.count(p.msg)) {
          r->phantom_read.add({key, p.offset, p.msg, op.index, -1});
          continue;
        }
        auto failed = log.failed_send_index.find(p.msg);
        if (failed != log.failed_send_index.end() && !log.maybe_sent_msgs.count(p.msg)) {
          r->aborted_read.add({key, p.offset, p.msg, op.index, failed->second});
        }
      }
    }
  }
}

}  // namespace

std::vector<std::string> CheckResult::error_types() const {
  std::vector<std::string> out;
  auto add = [&out](const char* name, bool present) {
    if (present) out.emplace_back(name);
  };
  add("lost-write", !lost_write.empty());
  add("duplicate", !duplicate.empty());
  add("inconsistent-offsets", !inconsistent_offsets.empty());
  add("nonmonotonic-send", !nonmonotonic_send.empty());
  add("nonmonotonic-poll", !nonmonotonic_poll.empty());
  add("int-nonmonotonic-poll", !int_nonmonotonic_poll.empty());
  add("poll-skip", !poll_skip.empty());
  add("int-poll-skip", !int_poll_skip.empty());
  add("aborted-read", !aborted_read.empty());
  add("phantom-read", !phantom_read.empty());
  add("unseen", !unseen.empty());
  return out;
}

CheckResult check(const std::vector<Event>& history) {
  CheckResult r;
  r.stats.ops = static_cast<int64_t>(history.size());
  Logs logs = build_logs(history, &r.stats);
  check_offsets(logs, &r);
  check_acknowledged(history, logs, &r);
  check_sends(history, &r);
  check_polls(history, logs, &r);
  check_reads(history, logs, &r);
  r.valid = r.error_types().empty();
  return r;
}

}  // namespace squall::checker::kafka
