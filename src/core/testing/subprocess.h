// Subprocess: the one way Squall's tests run a program (or a forked function) and talk to
// it: its standard streams on pipes (or inherited, or /dev/null), lines read with a
// time-out, signals, and a bounded wait for its exit status. run() and run_shell() run
// a command to completion and return what it wrote and how it ended.
//
// For tests only (squall_core_testing). POSIX. Pipes are close-on-exec, so a started
// program never holds another child's pipe open (a forked function does: it keeps every
// descriptor of the test but its own pipes' other ends). Writing to a child that has exited must not kill the
// test, so starting a child with a stdin pipe ignores SIGPIPE in the test process (the
// child gets the default back). Not thread-safe: one thread drives a Subprocess.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squall::testing {

// Where one of the child's standard streams goes.
enum class Stream {
  kPipe,      // a pipe to the test
  kInherit,   // the test's own stream
  kNull,      // /dev/null
  kToStdout,  // stderr only: into stdout, as the shell's 2>&1
};

struct SubprocessOptions {
  Stream in = Stream::kPipe;
  Stream out = Stream::kPipe;
  Stream err = Stream::kPipe;
};

// A finished child: what it wrote to its piped streams and its wait status.
struct Completed {
  std::string out;
  std::string err;
  int status = -1;  // as waitpid() reports it; -1 if the child could not be started

  bool exited() const;
  int exit_code() const;  // -1 unless the child exited normally
  bool signaled() const;
  int term_signal() const;  // 0 unless a signal ended the child
};

class Subprocess {
 public:
  // Starts the program at argv[0] (a path, not looked up in PATH) with arguments argv.
  // A child that cannot exec exits with status 127.
  static Subprocess start(const std::vector<std::string>& argv, SubprocessOptions options = {});
  // Forks; the child runs `body` and exits with its result, never returning into the test.
  static Subprocess fork(const std::function<int()>& body, SubprocessOptions options = {});

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // Closes the pipes, gives a running child one second to exit on its own (end of stdin
  // ends most programs), then kills it; a child is never left behind.
  ~Subprocess();

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The read end of the child's stdout pipe, for poll() over several children.
  int stdout_fd() const { return out_; }

  // Writes all of `data` to the child's stdin; false if the child no longer reads it.
  bool write(std::string_view data);
  void close_stdin();
  // The next complete line of stdout (without '\n'), waiting at most `timeout`; nullopt
  // on time-out or end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  void signal(int signo);
  // The wait status once the child has exited, waiting at most `timeout`; nullopt while
  // it still runs. With `usage`, the child's resource usage (wait4's: the child and the
  // descendants it waited for) is stored there when this call reaps it.
  std::optional<int> wait_for(std::chrono::milliseconds timeout, struct rusage* usage = nullptr);

  // Writes `input` to stdin, keeps stdin open until `linger` has passed since the call
  // (so a child's timers can fire), closes it, reads stdout and stderr until both end,
  // and waits for the exit.
  Completed communicate(std::string_view input = {}, std::chrono::milliseconds linger = {});

 private:
  Subprocess() = default;
  static Subprocess spawn(const std::function<void()>& child, SubprocessOptions options);

  pid_t pid_ = -1;
  std::optional<int> status_;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string out_buf_;  // stdout read by read_line() past the last line returned
};

// Runs argv to completion with `input` on its stdin.
Completed run(const std::vector<std::string>& argv, std::string_view input = {}, SubprocessOptions options = {});
// Runs `command` with /bin/sh -c, stdin from /dev/null.
Completed run_shell(const std::string& command, SubprocessOptions options = {.in = Stream::kNull});

}  // namespace squall::testing
