#include "node/stdio_driver.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "proto/message.h"

namespace squall::node {

namespace {

constexpr size_t kReadChunkBytes = 1 << 16;

// Writes all of `data` to `fd`, retrying on EINTR and short writes.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

class Driver {
 public:
  Driver(Node& node, const Clock& clock, const StdioOptions& options) : node_(node), clock_(clock), opt_(options) {}

  int run() {
    // A harness that closes our stdout must not kill us with SIGPIPE mid-write; the
    // failed write is reported instead.
    ::signal(SIGPIPE, SIG_IGN);
    std::string chunk(kReadChunkBytes, '\0');
    for (;;) {
      node_.tick(now());
      if (!flush()) return 1;
      int timeout = poll_timeout_ms();
      pollfd pfd{opt_.in_fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, timeout);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return fail("poll(stdin)");
      }
      if (ready == 0) continue;
      ssize_t n = ::read(opt_.in_fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return fail("read(stdin)");
      }
      if (n == 0) {
        if (!pending_.empty() && !skipping_) feed(pending_);  // last line without newline
        pending_.clear();
        if (!flush()) return 1;
        summary();
        return 0;
      }
      consume(std::string_view(chunk.data(), static_cast<size_t>(n)));
      if (!flush()) return 1;
    }
  }

 private:
  int64_t now() {
    // Time as the node sees it never runs backwards, even across clock quirks.
    last_ms_ = std::max(last_ms_, clock_.now_ms());
    return last_ms_;
  }

  int poll_timeout_ms() {
    std::optional<int64_t> deadline = node_.next_deadline_ms();
    if (!deadline) return -1;
    int64_t wait = *deadline - now();
    return static_cast<int>(std::clamp<int64_t>(wait, 0, 60'000));
  }

  // Splits a read chunk into lines; an over-long line is skipped up to its newline.
  void consume(std::string_view data) {
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view part = data.substr(0, nl);
      if (!skipping_) {
        if (pending_.size() + part.size() > proto::kMaxLineBytes) {
          node_.log("line longer than " + std::to_string(proto::kMaxLineBytes) + " bytes skipped");
          pending_.clear();
          skipping_ = true;
        } else if (nl != std::string_view::npos && pending_.empty()) {
          feed(part);  // the common case: a whole line inside the chunk, no copy
        } else {
          pending_.append(part);
          if (nl != std::string_view::npos) {
            feed(pending_);
            pending_.clear();
          }
        }
      }
      if (nl == std::string_view::npos) return;
      skipping_ = false;
      data.remove_prefix(nl + 1);
    }
  }

  void feed(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
    if (opt_.crash_after_messages >= 0 && served_ >= opt_.crash_after_messages) {
      flush();
      std::string msg =
          opt_.log_prefix + "fault crash-after=" + std::to_string(opt_.crash_after_messages) + ": exiting abnormally\n";
      write_all(opt_.err_fd, msg);
      ::_exit(kCrashExitStatus);
    }
    served_++;
    node_.receive_line(line, now());
  }

  bool flush() {
    out_.clear();
    for (const Outgoing& o : node_.outbox()) proto::append_envelope(out_, node_.self_id(), o.dest, o.body);
    node_.outbox().clear();
    if (opt_.garbage_line_once && !garbage_done_ && node_.initialized()) {
      garbage_done_ = true;
      out_ += "fault garbage-line: this line is not JSON\n";
    }
    std::vector<std::string> logs = node_.take_logs();
    if (!logs.empty()) {
      err_.clear();
      for (const std::string& l : logs) {
        err_ += opt_.log_prefix;
        err_ += l;
        err_ += '\n';
      }
      write_all(opt_.err_fd, err_);  // losing a log line is no reason to stop serving
    }
    if (!out_.empty() && !write_all(opt_.out_fd, out_)) {
      fail("write(stdout)");
      return false;
    }
    return true;
  }

  int fail(const char* what) {
    std::string msg = opt_.log_prefix + what + " failed: " + strerror(errno) + "\n";
    write_all(opt_.err_fd, msg);
    return 1;
  }

  void summary() {
    const NodeStats& s = node_.stats();
    std::string msg = opt_.log_prefix + "stdin closed; lines " + std::to_string(s.lines_in) + ", malformed " +
                      std::to_string(s.malformed_lines) + ", requests " + std::to_string(s.requests_in) + ", replies " +
                      std::to_string(s.replies_in) + ", sent " + std::to_string(s.messages_out) + ", errors sent " +
                      std::to_string(s.errors_out) + ", rpc timeouts " + std::to_string(s.rpc_timeouts) + "\n";
    write_all(opt_.err_fd, msg);
  }

  Node& node_;
  const Clock& clock_;
  const StdioOptions& opt_;
  std::string pending_;
  bool skipping_ = false;
  std::string out_;
  std::string err_;
  int64_t served_ = 0;
  bool garbage_done_ = false;
  int64_t last_ms_ = 0;
};

}  // namespace

int run_stdio(Node& node, const Clock& clock, const StdioOptions& options) {
  Driver d(node, clock, options);
  return d.run();
}

}  // namespace squall::node
