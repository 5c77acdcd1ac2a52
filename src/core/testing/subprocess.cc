#include "core/testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "core/assert.h"

namespace squall::testing {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe make_pipe() {
  int fds[2];
  SQ_ASSERT(::pipe2(fds, O_CLOEXEC) == 0);
  return Pipe{fds[0], fds[1]};
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// In the child: makes `target` (0, 1 or 2) what `stream` says; `piped` is the child's end
// of the pipe when there is one.
void connect_stream(Stream stream, int piped, int target) {
  if (stream == Stream::kInherit) return;
  if (stream == Stream::kToStdout) {
    ::dup2(1, target);
    return;
  }
  if (stream == Stream::kNull) {
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) ::dup2(null, target);
    return;
  }
  ::dup2(piped, target);  // dup2 clears close-on-exec on the copy
}

// Reads what is available on `fd` into `into`; false at end of stream or on error.
bool read_some(int fd, std::string& into) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  into.append(buf, static_cast<size_t>(n));
  return true;
}

}  // namespace

bool Completed::exited() const { return status >= 0 && WIFEXITED(status); }
int Completed::exit_code() const { return exited() ? WEXITSTATUS(status) : -1; }
bool Completed::signaled() const { return status >= 0 && WIFSIGNALED(status); }
int Completed::term_signal() const { return signaled() ? WTERMSIG(status) : 0; }

Subprocess Subprocess::spawn(const std::function<void()>& child, SubprocessOptions options) {
  SQ_ASSERT(options.in != Stream::kToStdout && options.out != Stream::kToStdout);
  // A child that exits before reading all its input must fail the write, not kill the test.
  if (options.in == Stream::kPipe) ::signal(SIGPIPE, SIG_IGN);
  Pipe in, out, err;
  if (options.in == Stream::kPipe) in = make_pipe();
  if (options.out == Stream::kPipe) out = make_pipe();
  if (options.err == Stream::kPipe) err = make_pipe();
  Subprocess p;
  p.pid_ = ::fork();
  SQ_ASSERT(p.pid_ >= 0);
  if (p.pid_ == 0) {
    ::signal(SIGPIPE, SIG_DFL);  // an ignored signal would survive exec
    connect_stream(options.in, in.read, 0);
    connect_stream(options.out, out.write, 1);
    connect_stream(options.err, err.write, 2);  // after stdout, for kToStdout
    // Close-on-exec does nothing for a forked function: without this its own stdin
    // would never reach end of file.
    for (int fd : {in.read, in.write, out.read, out.write, err.read, err.write}) {
      if (fd > 2) ::close(fd);
    }
    child();
    ::_exit(127);
  }
  close_fd(in.read);
  close_fd(out.write);
  close_fd(err.write);
  p.in_ = in.write;
  p.out_ = out.read;
  p.err_ = err.read;
  return p;
}

Subprocess Subprocess::start(const std::vector<std::string>& argv, SubprocessOptions options) {
  SQ_ASSERT(!argv.empty());
  return spawn(
      [&argv] {
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
      },
      options);
}

Subprocess Subprocess::fork(const std::function<int()>& body, SubprocessOptions options) {
  return spawn([&body] { ::_exit(body()); }, options);
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(other.pid_),
      status_(other.status_),
      in_(other.in_),
      out_(other.out_),
      err_(other.err_),
      out_buf_(std::move(other.out_buf_)) {
  other.pid_ = -1;
  other.in_ = other.out_ = other.err_ = -1;
}

Subprocess::~Subprocess() {
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
  if (pid_ <= 0 || status_) return;
  if (!wait_for(milliseconds(1000))) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool Subprocess::write(std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(in_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void Subprocess::close_stdin() { close_fd(in_); }

std::optional<std::string> Subprocess::read_line(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    if (out_ < 0) return std::nullopt;
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0))) <= 0) return std::nullopt;
    if (!read_some(out_, out_buf_)) {
      close_fd(out_);
      return std::nullopt;
    }
  }
}

void Subprocess::signal(int signo) {
  if (pid_ > 0 && !status_) ::kill(pid_, signo);
}

std::optional<int> Subprocess::wait_for(milliseconds timeout, struct rusage* usage) {
  if (status_ || pid_ <= 0) return status_;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::wait4(pid_, &status, WNOHANG, usage);
    if (r == pid_) {
      status_ = status;
      return status_;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

Completed Subprocess::communicate(std::string_view input, milliseconds linger) {
  Completed c;
  c.out = std::move(out_buf_);
  out_buf_.clear();
  if (in_ >= 0) ::fcntl(in_, F_SETFL, O_NONBLOCK);
  const auto start = Clock::now();
  size_t written = 0;
  while (out_ >= 0 || err_ >= 0 || in_ >= 0) {
    if (in_ >= 0 && written == input.size() && Clock::now() - start >= linger) close_fd(in_);
    pollfd fds[3] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}, {written < input.size() ? in_ : -1, POLLOUT, 0}};
    ::poll(fds, 3, 20);
    if (fds[0].revents != 0 && !read_some(out_, c.out)) close_fd(out_);
    if (fds[1].revents != 0 && !read_some(err_, c.err)) close_fd(err_);
    if (fds[2].revents & (POLLERR | POLLHUP)) {
      close_fd(in_);  // the child stopped reading; the rest of the input is dropped
    } else if (fds[2].revents & POLLOUT) {
      ssize_t n = ::write(in_, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) close_fd(in_);
    }
  }
  int status = 0;
  if (pid_ > 0 && !status_ && ::waitpid(pid_, &status, 0) == pid_) status_ = status;
  c.status = status_.value_or(-1);
  return c;
}

Completed run(const std::vector<std::string>& argv, std::string_view input, SubprocessOptions options) {
  return Subprocess::start(argv, options).communicate(input);
}

Completed run_shell(const std::string& command, SubprocessOptions options) {
  return run({"/bin/sh", "-c", command}, {}, options);
}

}  // namespace squall::testing
