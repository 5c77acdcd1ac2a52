// Journal: a compact record of every send, delivery and drop in the simulated network.
//
// Each event is a fixed 32-byte record (time, message id, endpoints, kind), enough to
// compute Maelstrom's net statistics and to draw a message diagram later without keeping
// message bodies. Counts are always exact; the per-event records stop at `entry_limit`
// (then truncated() is true) so a long run cannot exhaust memory. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace squall::net {

enum class JournalEvent : uint8_t { kSend, kRecv, kDrop };

struct JournalEntry {
  int64_t t_ns;
  int64_t msg_id;
  uint32_t src;
  uint32_t dest;
  JournalEvent event;
};

// Maelstrom's traffic counters for one class of messages.
struct TrafficCounts {
  int64_t send_count = 0;
  int64_t recv_count = 0;
  int64_t msg_count = 0;  // distinct messages
};

struct NetStats {
  TrafficCounts all;
  TrafficCounts clients;          // messages to or from a client
  TrafficCounts servers;          // messages between servers and services
  int64_t dropped_partition = 0;  // node-to-node messages a partition dropped
  int64_t dropped_overflow = 0;   // messages refused because the network was full
};

class Journal {
 public:
  explicit Journal(size_t entry_limit) : entry_limit_(entry_limit) {}

  // `client_involved`: src or dest is a client (decides the Maelstrom class).
  void record(int64_t t_ns, int64_t msg_id, uint32_t src, uint32_t dest, JournalEvent event, bool client_involved);
  void record_overflow() { ++stats_.dropped_overflow; }

  const std::vector<JournalEntry>& entries() const { return entries_; }
  bool truncated() const { return truncated_; }
  const NetStats& stats() const { return stats_; }

 private:
  size_t entry_limit_;
  std::vector<JournalEntry> entries_;
  bool truncated_ = false;
  NetStats stats_;
};

}  // namespace squall::net
