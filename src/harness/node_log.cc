#include "harness/node_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/assert.h"

namespace squall::harness {
namespace {

// Best effort: a full disk must not stop the run, only the log.
void write_all(int fd, std::string_view text) {
  while (fd >= 0 && !text.empty()) {
    ssize_t w = ::write(fd, text.data(), text.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    text.remove_prefix(static_cast<size_t>(w));
  }
}

void copy_file(int from, uint64_t size, int to) {
  char buf[65536];
  for (uint64_t off = 0; off < size;) {
    ssize_t r =
        ::pread(from, buf, static_cast<size_t>(std::min<uint64_t>(sizeof buf, size - off)), static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    write_all(to, std::string_view(buf, static_cast<size_t>(r)));
    off += static_cast<uint64_t>(r);
  }
}

std::string segment_path(const std::string& log, int k) { return log + (k == 0 ? ".tail-a" : ".tail-b"); }

}  // namespace

NodeLog::~NodeLog() { close(); }

Status NodeLog::open(const std::string& path, uint64_t limit) {
  SQ_ASSERT(fd_ < 0);
  SQ_ASSERT_GE(limit, uint64_t{4096});
  path_ = path;
  limit_ = limit;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return err("cannot open node log '" + path + "': " + std::strerror(errno));
  return {};
}

void NodeLog::write(std::string_view bytes) {
  total_ += bytes.size();
  recent_.append(bytes.size() > kTailMemory ? bytes.substr(bytes.size() - kTailMemory) : bytes);
  if (recent_.size() > 2 * kTailMemory) recent_.erase(0, recent_.size() - kTailMemory);
  if (fd_ < 0) return;
  uint64_t head_room = limit_ / 2 - std::min(head_, limit_ / 2);
  size_t to_head = static_cast<size_t>(std::min<uint64_t>(head_room, bytes.size()));
  if (to_head > 0) {
    write_all(fd_, bytes.substr(0, to_head));
    head_ += to_head;
    head_ends_line_ = bytes[to_head - 1] == '\n';
    bytes.remove_prefix(to_head);
  }
  if (!bytes.empty()) write_tail(bytes);
}

void NodeLog::write_tail(std::string_view bytes) {
  const uint64_t segment_cap = limit_ / 4;
  while (!bytes.empty()) {
    if (seg_fd_[current_] < 0) {
      seg_fd_[current_] = ::open(segment_path(path_, current_).c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      seg_size_[current_] = 0;
      if (seg_fd_[current_] < 0) return;  // the tail is lost, the head stays
    }
    if (seg_size_[current_] >= segment_cap) {
      switch_segment();
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(segment_cap - seg_size_[current_], bytes.size()));
    write_all(seg_fd_[current_], bytes.substr(0, n));
    seg_size_[current_] += n;
    bytes.remove_prefix(n);
  }
}

void NodeLog::switch_segment() {
  current_ = 1 - current_;
  if (seg_fd_[current_] >= 0) {
    // The older segment's bytes are the ones cut from the log.
    dropped_ = dropped_ || seg_size_[current_] > 0;
    if (::ftruncate(seg_fd_[current_], 0) != 0 || ::lseek(seg_fd_[current_], 0, SEEK_SET) != 0) {
      ::close(seg_fd_[current_]);
      seg_fd_[current_] = -1;
    }
  }
  seg_size_[current_] = 0;
}

uint64_t NodeLog::cut_bytes() const {
  if (!dropped_) return 0;
  return total_ - head_ - seg_size_[0] - seg_size_[1];
}

void NodeLog::close() {
  if (fd_ < 0) return;
  int older = 1 - current_;
  if (dropped_) {
    uint64_t kept = seg_size_[0] + seg_size_[1];
    write_all(fd_,
              fmt::format("{}[squall: {} bytes of this node's stderr were cut here; the log keeps the first {} and the "
                          "last {} of {} bytes]\n",
                          head_ends_line_ ? "" : "\n", cut_bytes(), head_, kept, total_));
  }
  for (int k : {older, current_}) {
    if (seg_fd_[k] < 0) continue;
    copy_file(seg_fd_[k], seg_size_[k], fd_);
    ::close(seg_fd_[k]);
    seg_fd_[k] = -1;
    ::unlink(segment_path(path_, k).c_str());
  }
  ::close(fd_);
  fd_ = -1;
}

std::vector<std::string> NodeLog::last_lines(size_t n) const {
  std::vector<std::string> lines;
  std::string_view rest(recent_);
  if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
  while (lines.size() < n && !rest.empty()) {
    size_t nl = rest.rfind('\n');
    std::string_view line = nl == std::string_view::npos ? rest : rest.substr(nl + 1);
    // A line that began before the kept window is incomplete: show it only if it is all we have.
    if (nl == std::string_view::npos && recent_.size() >= kTailMemory && !lines.empty()) break;
    lines.emplace_back(line.size() > 500 ? std::string(line.substr(0, 500)) + "..." : std::string(line));
    if (nl == std::string_view::npos) break;
    rest = rest.substr(0, nl);
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace squall::harness
