#include "harness/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>

extern char** environ;  // the harness's environment, passed on to nodes unchanged

namespace squall::harness {
namespace {

void close_fd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

Status set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return err(std::string("fcntl(O_NONBLOCK): ") + std::strerror(errno));
  }
  return {};
}

}  // namespace

ssize_t read_some(int fd, char* buf, size_t n) {
  while (true) {
    ssize_t r = ::read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return 0;  // treat errors as EOF
    return r;
  }
}

void append_to_fd(int fd, std::string_view text) {
  while (fd >= 0 && !text.empty()) {
    ssize_t w = ::write(fd, text.data(), text.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    text.remove_prefix(static_cast<size_t>(w));
  }
}

Result<std::unique_ptr<NodeProcess>> NodeProcess::spawn(const Options& options) {
  if (::access(options.bin.c_str(), X_OK) != 0) {
    return err("cannot execute node binary '" + options.bin + "': " + std::strerror(errno));
  }
  struct stat st;
  if (::stat(options.bin.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return err("node binary '" + options.bin + "' is a directory");
  }
  int in_pipe[2], out_pipe[2], err_pipe[2] = {-1, -1}, exec_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return err(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return err(std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) return err(std::string("pipe: ") + std::strerror(errno));
  int log_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return err("cannot open node log '" + options.stderr_path + "': " + std::strerror(errno));
  if (options.pipe_stderr && ::pipe2(err_pipe, O_CLOEXEC) != 0) return err(std::string("pipe: ") + std::strerror(errno));
  // Larger pipes let a burst of gossip pass without a round trip through the event loop.
  ::fcntl(in_pipe[1], F_SETPIPE_SZ, 1 << 20);
  ::fcntl(out_pipe[1], F_SETPIPE_SZ, 1 << 20);

  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls are allowed.
  std::vector<std::string> argv_storage;
  argv_storage.push_back(options.bin);
  for (const auto& a : options.args) argv_storage.push_back(a);
  std::vector<char*> argv;
  for (auto& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return err(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(options.pipe_stderr ? err_pipe[1] : log_fd, 2);
    ::execve(argv[0], argv.data(), environ);
    int e = errno;
    ssize_t ignored = ::write(exec_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also in the parent: whoever runs first wins the race
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(exec_pipe[1]);
  if (options.pipe_stderr) ::close(err_pipe[1]);

  auto proc = std::unique_ptr<NodeProcess>(new NodeProcess());
  proc->name_ = options.name;
  proc->stderr_path_ = options.stderr_path;
  proc->pid_ = pid;
  proc->stdin_fd_ = in_pipe[1];
  proc->stdout_fd_ = out_pipe[0];
  if (options.pipe_stderr) {
    proc->stderr_fd_ = err_pipe[0];
    proc->stderr_log_fd_ = log_fd;
  } else {
    ::close(log_fd);
  }

  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    proc->kill_and_reap();
    return err("cannot execute node binary '" + options.bin + "': " + std::strerror(child_errno));
  }
  for (int fd : {proc->stdin_fd_, proc->stdout_fd_, proc->stderr_fd_}) {
    if (fd < 0) continue;
    if (auto s = set_nonblocking(fd); !s.ok()) return err(s.error());
  }
  return proc;
}

NodeProcess::~NodeProcess() {
  kill_and_reap();
  close_fd(&stdin_fd_);
  close_fd(&stdout_fd_);
  close_fd(&stderr_fd_);
  close_fd(&stderr_log_fd_);
}

Status NodeProcess::send_line(std::string_view line) {
  if (stdin_fd_ < 0) return err(name_ + " has closed its stdin");
  if (queued_.size() - queued_offset_ + line.size() + 1 > kMaxQueuedBytes) {
    return err(name_ + " is not reading its stdin (" + std::to_string(kMaxQueuedBytes >> 20) + " MiB queued)");
  }
  if (!has_queued_input()) {
    // Fast path: write straight from the caller's buffer when nothing is queued.
    queued_.clear();
    queued_offset_ = 0;
    std::string_view rest = line;
    while (!rest.empty()) {
      ssize_t w = ::write(stdin_fd_, rest.data(), rest.size());
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) break;
      rest.remove_prefix(static_cast<size_t>(w));
    }
    if (rest.empty()) {
      ssize_t w;
      do {
        w = ::write(stdin_fd_, "\n", 1);
      } while (w < 0 && errno == EINTR);
      if (w == 1) return {};
      if (errno == EPIPE) return err(name_ + " has closed its stdin");
      queued_.push_back('\n');
      return {};
    }
    if (errno == EPIPE) return err(name_ + " has closed its stdin");
    queued_.append(rest);
    queued_.push_back('\n');
    return {};
  }
  queued_.append(line);
  queued_.push_back('\n');
  return flush();
}

Status NodeProcess::queue_line(std::string_view line) {
  if (stdin_fd_ < 0) return err(name_ + " has closed its stdin");
  if (queued_.size() - queued_offset_ + line.size() + 1 > kMaxQueuedBytes) {
    return err(name_ + " is not reading its stdin (" + std::to_string(kMaxQueuedBytes >> 20) + " MiB queued)");
  }
  queued_.append(line);
  queued_.push_back('\n');
  return {};
}

Status NodeProcess::flush() {
  while (has_queued_input()) {
    ssize_t w = ::write(stdin_fd_, queued_.data() + queued_offset_, queued_.size() - queued_offset_);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return err(name_ + " has closed its stdin");
    }
    queued_offset_ += static_cast<size_t>(w);
  }
  if (!has_queued_input()) {
    queued_.clear();
    queued_offset_ = 0;
  } else if (queued_offset_ > (1u << 20)) {
    queued_.erase(0, queued_offset_);
    queued_offset_ = 0;
  }
  return {};
}

std::optional<int> NodeProcess::try_reap() {
  if (reaped_) return status_;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    reaped_ = true;
    status_ = st;
    ::kill(-pid_, SIGKILL);  // any grandchildren left in the group go too
    return st;
  }
  return std::nullopt;
}

void NodeProcess::kill_and_reap() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, 0);
  } while (r < 0 && errno == EINTR);
  reaped_ = true;
  status_ = st;
}

std::string NodeProcess::describe_status(int raw) {
  if (WIFEXITED(raw)) return "exit status " + std::to_string(WEXITSTATUS(raw));
  if (WIFSIGNALED(raw)) {
    int sig = WTERMSIG(raw);
    const char* desc = ::strsignal(sig);
    return "killed by signal " + std::to_string(sig) + " (" + (desc ? desc : "?") + ")";
  }
  return "wait status " + std::to_string(raw);
}

std::vector<std::string> NodeProcess::last_stderr_lines(size_t n) const {
  std::ifstream in(stderr_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > 500) line = line.substr(0, 500) + "...";
    tail.push_back(std::move(line));
    if (tail.size() > n) tail.pop_front();
  }
  return {tail.begin(), tail.end()};
}

}  // namespace squall::harness
