// NodeProcess: one node binary under supervision.
//
// Started with fork + execve (no shell) in its own process group, with pipes for stdin
// and stdout and stderr appended to a log file (or piped back to the harness with
// --log-stderr). All harness-side descriptors are non-blocking: writes to a node that
// does not read are queued (up to kMaxQueuedBytes) and flushed when the pipe drains;
// reads split stdout into lines (each at most kMaxLineBytes). On destruction, or
// kill_and_reap(), the whole process group gets SIGKILL and the child is reaped, so no
// node outlives the harness's normal exit paths. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace squall::harness {

inline constexpr size_t kMaxLineBytes = 16u << 20;
inline constexpr size_t kMaxQueuedBytes = 256u << 20;

class NodeProcess {
 public:
  struct Options {
    std::string name;              // node id, for messages
    std::string bin;               // path to the executable
    std::vector<std::string> args; // argv[1..]
    std::string stderr_path;       // node-logs/<node>.log
    bool pipe_stderr = false;      // deliver stderr lines to the harness as well
  };

  // Starts the process. Fails with a readable message if the binary cannot be executed.
  static Result<std::unique_ptr<NodeProcess>> spawn(const Options& options);
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }
  int stdin_fd() const { return stdin_fd_; }
  int stderr_fd() const { return stderr_fd_; }  // -1 unless pipe_stderr

  // Queues `line` plus a newline for the node's stdin and writes what the pipe accepts.
  // Fails if the node closed its stdin or the queue limit is exceeded.
  Status send_line(std::string_view line);
  // Appends `line` plus a newline to the queue without writing: the router batches all
  // deliveries of one step and then calls flush() once per node (one syscall, not one
  // per message). Fails like send_line().
  Status queue_line(std::string_view line);
  // Writes queued bytes; call after queue_line() or when the stdin pipe is writable.
  Status flush();
  bool has_queued_input() const { return queued_offset_ < queued_.size(); }

  // Reads what stdout has; calls on_line(std::string_view) per complete line and
  // on_overlong(size_t) for lines beyond kMaxLineBytes (their bytes are discarded).
  // Returns false once stdout reached end of file.
  template <typename OnLine, typename OnOverlong>
  bool read_stdout(OnLine&& on_line, OnOverlong&& on_overlong);
  // Same for the stderr pipe (pipe_stderr only); lines are also appended to the log file.
  template <typename OnLine>
  bool read_stderr(OnLine&& on_line);

  // Non-blocking reap. Returns the raw wait status once the child has exited.
  std::optional<int> try_reap();
  // SIGKILL to the process group, then a blocking reap. Idempotent.
  void kill_and_reap();
  bool exited() const { return reaped_; }
  int exit_status() const { return status_; }

  // "exit status 3", "killed by signal 9 (Killed)", ...
  static std::string describe_status(int raw_status);
  // Up to `n` last lines of the node's stderr log.
  std::vector<std::string> last_stderr_lines(size_t n) const;

 private:
  NodeProcess() = default;
  // Reads from fd into buf_ and splits lines; returns false at EOF.
  template <typename OnLine, typename OnOverlong>
  bool read_lines(int fd, std::string* buf, bool* skipping, OnLine&& on_line, OnOverlong&& on_overlong);

  std::string name_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int stderr_log_fd_ = -1;  // harness-side copy target when piping stderr
  std::string queued_;
  size_t queued_offset_ = 0;
  std::string out_buf_;
  bool out_skipping_ = false;
  std::string err_buf_;
  bool err_skipping_ = false;
  bool reaped_ = false;
  int status_ = 0;
};

// ---- template implementation ----

ssize_t read_some(int fd, char* buf, size_t n);  // read() retrying EINTR; -1 with EAGAIN

template <typename OnLine, typename OnOverlong>
bool NodeProcess::read_lines(int fd, std::string* buf, bool* skipping, OnLine&& on_line, OnOverlong&& on_overlong) {
  char chunk[65536];
  // Bounded number of reads per call keeps one chatty node from starving the others.
  for (int round = 0; round < 16; ++round) {
    ssize_t n = read_some(fd, chunk, sizeof chunk);
    if (n == 0) {
      if (!buf->empty() && !*skipping) on_line(std::string_view(*buf));
      buf->clear();
      return false;
    }
    if (n < 0) return true;  // EAGAIN: nothing more now
    size_t start = 0;
    auto len = static_cast<size_t>(n);
    for (size_t i = 0; i < len; ++i) {
      if (chunk[i] != '\n') continue;
      if (*skipping) {
        *skipping = false;
      } else if (buf->empty()) {
        on_line(std::string_view(chunk + start, i - start));
      } else {
        buf->append(chunk + start, i - start);
        on_line(std::string_view(*buf));
      }
      buf->clear();
      start = i + 1;
    }
    if (start < len && !*skipping) {
      buf->append(chunk + start, len - start);
      if (buf->size() > kMaxLineBytes) {
        on_overlong(buf->size());
        buf->clear();
        *skipping = true;
      }
    }
    if (len < sizeof chunk) return true;
  }
  return true;
}

template <typename OnLine, typename OnOverlong>
bool NodeProcess::read_stdout(OnLine&& on_line, OnOverlong&& on_overlong) {
  return read_lines(stdout_fd_, &out_buf_, &out_skipping_, on_line, on_overlong);
}

void append_to_fd(int fd, std::string_view text);

template <typename OnLine>
bool NodeProcess::read_stderr(OnLine&& on_line) {
  return read_lines(
      stderr_fd_, &err_buf_, &err_skipping_,
      [&](std::string_view line) {
        append_to_fd(stderr_log_fd_, line);
        append_to_fd(stderr_log_fd_, "\n");
        on_line(line);
      },
      [](size_t) {});
}

}  // namespace squall::harness
