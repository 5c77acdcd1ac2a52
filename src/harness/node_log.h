// NodeLog: a node's stderr log file, capped in size, keeping its head and its tail.
//
// A node may write gigabytes to stderr; the log must neither fill the disk nor cost the
// harness memory. The first half of the cap goes to the log file as it comes. What comes
// after goes to two tail segments (<log>.tail-a, <log>.tail-b) of a quarter of the cap
// each, used in turn: when the current one is full, the older one is emptied and written
// anew. close() appends the older and then the newer segment to the log, after a line
// saying how many bytes were cut, and deletes the segments. So the log keeps the first
// cap/2 bytes and between cap/4 and cap/2 of the last bytes, and at no time holds more
// than about 1.25 x cap on disk. A run that is killed leaves the segments beside the log.
//
// The last kTailMemory bytes are also kept in memory, so a crashed node's last stderr
// lines are shown without reading the file back. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace squall::harness {

// Default cap of one node's log file.
inline constexpr uint64_t kDefaultNodeLogLimit = uint64_t{64} << 20;

class NodeLog {
 public:
  static constexpr size_t kTailMemory = 64u << 10;

  NodeLog() = default;
  ~NodeLog();
  NodeLog(const NodeLog&) = delete;
  NodeLog& operator=(const NodeLog&) = delete;

  // Creates (truncates) the log file. `limit` is the cap in bytes (at least 4096).
  Status open(const std::string& path, uint64_t limit);
  void write(std::string_view bytes);
  // Moves the kept tail into the log after the cut notice. Idempotent.
  void close();

  uint64_t total_bytes() const { return total_; }
  // Bytes left out of the log (known once more than the cap was written).
  uint64_t cut_bytes() const;
  // Up to `n` last lines written so far, each clipped to 500 bytes.
  std::vector<std::string> last_lines(size_t n) const;

 private:
  void write_tail(std::string_view bytes);
  void switch_segment();

  std::string path_;
  uint64_t limit_ = kDefaultNodeLogLimit;
  int fd_ = -1;
  int seg_fd_[2] = {-1, -1};
  uint64_t seg_size_[2] = {0, 0};
  int current_ = 0;       // the segment being written
  bool dropped_ = false;  // a segment's contents were discarded at least once
  uint64_t head_ = 0;     // bytes in the log file itself
  bool head_ends_line_ = true;
  uint64_t total_ = 0;  // bytes written by the node
  std::string recent_;  // the last bytes, at most 2 x kTailMemory
};

}  // namespace squall::harness
