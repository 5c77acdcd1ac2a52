// NodeProcess: one node binary under supervision.
//
// Started with fork + execve (no shell) in its own process group, with a parent-death
// signal (SIGKILL when the spawning thread ends, so a node that ignores stdin EOF still
// dies with squall), extra environment variables (the run's marker, see
// DescendantGuard), and pipes for stdin, stdout and stderr. stderr always comes through
// the harness into a capped NodeLog (node-logs/<node>.log); with pipe_stderr its lines
// are also handed to the harness for the console. All harness-side descriptors are
// non-blocking: writes to a node that does not read are queued, charged to a
// StdinBudget shared by the whole run, and flushed when the pipe drains; reads split
// stdout into lines (each at most kMaxLineBytes). On destruction, or kill_and_reap(),
// the whole process group gets SIGKILL and the child is reaped. Not thread-safe.
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
#include "harness/node_log.h"
#include "harness/stdin_budget.h"

namespace squall::harness {

inline constexpr size_t kMaxLineBytes = 16u << 20;

class NodeProcess {
 public:
  struct Options {
    std::string name;                     // node id, for messages
    std::string bin;                      // path to the executable
    std::vector<std::string> args;        // argv[1..]
    std::string stderr_path;              // node-logs/<node>.log
    bool pipe_stderr = false;             // deliver stderr lines to the harness as well
    std::vector<std::string> env;         // "NAME=VALUE" added to the harness's environment
    StdinBudget* stdin_budget = nullptr;  // shared by the run; null: a budget of its own
    uint64_t log_limit = kDefaultNodeLogLimit;
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
  int stderr_fd() const { return stderr_fd_; }

  // Queues `line` plus a newline for the node's stdin and writes what the pipe accepts.
  // Fails if the node closed its stdin or the run's stdin budget is spent.
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
  // Moves what stderr has into the log; with pipe_stderr, also calls on_line per line.
  // Returns false once stderr reached end of file.
  template <typename OnLine>
  bool read_stderr(OnLine&& on_line);
  // Reads the rest of stderr (up to what the pipe holds now) and finishes the log file.
  // Call once the node and its descendants are dead; the destructor does it too.
  void close_log();

  // Non-blocking reap. Returns the raw wait status once the child has exited.
  std::optional<int> try_reap();
  // SIGKILL to the process group, then a blocking reap. Idempotent.
  void kill_and_reap();
  bool exited() const { return reaped_; }
  int exit_status() const { return status_; }

  // "exit status 3", "killed by signal 9 (Killed)", ...
  static std::string describe_status(int raw_status);
  // Up to `n` last lines of the node's stderr (from memory; reads what the pipe holds).
  std::vector<std::string> last_stderr_lines(size_t n);
  const NodeLog& log() const { return log_; }

 private:
  NodeProcess() = default;
  // Reads up to 16 chunks from fd, calling on_chunk(std::string_view) on each; returns
  // false at EOF.
  template <typename OnChunk>
  bool read_chunks(int fd, OnChunk&& on_chunk);
  // Splits a chunk into lines, completing the partial line in *buf.
  template <typename OnLine, typename OnOverlong>
  static void split_lines(std::string_view chunk, std::string* buf, bool* skipping, OnLine&& on_line,
                          OnOverlong&& on_overlong);
  Status charge(size_t more);  // fails if the budget cannot take `more` bytes
  void recharge();             // after the queue changed
  void release_input();        // the node is gone: its queue is dropped
  std::string not_reading_error() const;

  std::string name_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool echo_stderr_ = false;
  NodeLog log_;
  StdinBudget own_budget_;
  StdinBudget* budget_ = &own_budget_;
  size_t charged_ = 0;  // bytes of queued_ charged to budget_
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

template <typename OnChunk>
bool NodeProcess::read_chunks(int fd, OnChunk&& on_chunk) {
  char chunk[65536];
  // Bounded number of reads per call keeps one chatty node from starving the others.
  for (int round = 0; round < 16; ++round) {
    ssize_t n = read_some(fd, chunk, sizeof chunk);
    if (n == 0) return false;
    if (n < 0) return true;  // EAGAIN: nothing more now
    on_chunk(std::string_view(chunk, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) < sizeof chunk) return true;
  }
  return true;
}

template <typename OnLine, typename OnOverlong>
void NodeProcess::split_lines(std::string_view chunk, std::string* buf, bool* skipping, OnLine&& on_line,
                              OnOverlong&& on_overlong) {
  size_t start = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    if (chunk[i] != '\n') continue;
    if (*skipping) {
      *skipping = false;
    } else if (buf->empty()) {
      on_line(chunk.substr(start, i - start));
    } else {
      buf->append(chunk.substr(start, i - start));
      on_line(std::string_view(*buf));
    }
    buf->clear();
    start = i + 1;
  }
  if (start < chunk.size() && !*skipping) {
    buf->append(chunk.substr(start));
    if (buf->size() > kMaxLineBytes) {
      on_overlong(buf->size());
      buf->clear();
      *skipping = true;
    }
  }
}

template <typename OnLine, typename OnOverlong>
bool NodeProcess::read_stdout(OnLine&& on_line, OnOverlong&& on_overlong) {
  bool open = read_chunks(
      stdout_fd_, [&](std::string_view chunk) { split_lines(chunk, &out_buf_, &out_skipping_, on_line, on_overlong); });
  if (!open) {
    if (!out_buf_.empty() && !out_skipping_) on_line(std::string_view(out_buf_));
    out_buf_.clear();
  }
  return open;
}

template <typename OnLine>
bool NodeProcess::read_stderr(OnLine&& on_line) {
  if (stderr_fd_ < 0) return false;
  bool open = read_chunks(stderr_fd_, [&](std::string_view chunk) {
    log_.write(chunk);
    if (echo_stderr_) split_lines(chunk, &err_buf_, &err_skipping_, on_line, [](size_t) {});
  });
  if (!open) {
    if (echo_stderr_ && !err_buf_.empty() && !err_skipping_) on_line(std::string_view(err_buf_));
    err_buf_.clear();
  }
  return open;
}

}  // namespace squall::harness
