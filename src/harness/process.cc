#include "harness/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/assert.h"

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

// Why execve failed, in words: ENOENT for a file that exists means its #! interpreter
// is missing, which strerror alone does not say.
std::string exec_failure(const std::string& bin, int e) {
  std::string why = std::strerror(e);
  if (e == ENOENT && ::access(bin.c_str(), F_OK) == 0) {
    std::ifstream in(bin);
    std::string first;
    std::getline(in, first);
    if (first.rfind("#!", 0) == 0) {
      std::string interp = first.substr(2);
      interp.erase(0, interp.find_first_not_of(" \t"));
      interp = interp.substr(0, interp.find_first_of(" \t\r"));
      why = "its interpreter '" + interp + "' (from the #! line) does not exist";
    }
  }
  return "cannot execute node binary '" + bin + "': " + why;
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

Result<std::unique_ptr<NodeProcess>> NodeProcess::spawn(const Options& options) {
  if (::access(options.bin.c_str(), X_OK) != 0) {
    return err("cannot execute node binary '" + options.bin + "': " + std::strerror(errno));
  }
  struct stat st;
  if (::stat(options.bin.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return err("node binary '" + options.bin + "' is a directory");
  }
  auto proc = std::unique_ptr<NodeProcess>(new NodeProcess());
  proc->name_ = options.name;
  proc->stderr_path_ = options.stderr_path;
  proc->echo_stderr_ = options.pipe_stderr;
  if (options.stdin_budget) proc->budget_ = options.stdin_budget;
  if (auto s = proc->log_.open(options.stderr_path, options.log_limit); !s.ok()) return err(s.error());
  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return err(std::string("pipe: ") + std::strerror(errno));
  proc->stdin_fd_ = in_pipe[1];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    return err(std::string("pipe: ") + std::strerror(errno));
  }
  proc->stdout_fd_ = out_pipe[0];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    return err(std::string("pipe: ") + std::strerror(errno));
  }
  proc->stderr_fd_ = err_pipe[0];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    for (int fd : {in_pipe[0], out_pipe[1], err_pipe[1]}) ::close(fd);
    return err(std::string("pipe: ") + std::strerror(errno));
  }
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
  std::vector<std::string> env_storage = options.env;
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (auto& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], out_pipe[1], err_pipe[1], exec_pipe[0], exec_pipe[1]}) ::close(fd);
    return err(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // Dies with the harness, even one killed with SIGKILL; if the harness is already
    // gone (the getppid() check closes the race with the prctl), do not start at all.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execve(argv[0], argv.data(), envp.data());
    int e = errno;
    ssize_t ignored = ::write(exec_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also in the parent: whoever runs first wins the race
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  proc->pid_ = pid;

  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    proc->kill_and_reap();
    return err(exec_failure(options.bin, child_errno));
  }
  for (int fd : {proc->stdin_fd_, proc->stdout_fd_, proc->stderr_fd_}) {
    if (auto s = set_nonblocking(fd); !s.ok()) return err(s.error());
  }
  return proc;
}

NodeProcess::~NodeProcess() {
  kill_and_reap();
  close_fd(&stdin_fd_);
  close_fd(&stdout_fd_);
  close_log();
}

std::string NodeProcess::not_reading_error() const {
  return fmt::format("{} is not reading its stdin ({} MiB queued for all nodes, {} MiB of it for {})", name_,
                     budget_->queued >> 20, charged_ >> 20, name_);
}

Status NodeProcess::charge(size_t more) {
  if (!budget_->allows(more)) return err(not_reading_error());
  budget_->queued += more;
  charged_ += more;
  return {};
}

void NodeProcess::recharge() {
  size_t pending = queued_.size() - queued_offset_;
  SQ_ASSERT_GE(budget_->queued, charged_);
  budget_->queued = budget_->queued - charged_ + pending;
  charged_ = pending;
}

void NodeProcess::release_input() {
  queued_.clear();
  queued_offset_ = 0;
  recharge();
}

Status NodeProcess::send_line(std::string_view line) {
  if (stdin_fd_ < 0) return err(name_ + " has closed its stdin");
  if (has_queued_input()) {
    if (auto s = queue_line(line); !s.ok()) return s;
    return flush();
  }
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
  } else if (errno == EPIPE) {
    return err(name_ + " has closed its stdin");
  }
  // The pipe is full: the rest waits in the queue.
  if (auto s = charge(rest.size() + 1); !s.ok()) return s;
  queued_.append(rest);
  queued_.push_back('\n');
  return {};
}

Status NodeProcess::queue_line(std::string_view line) {
  if (stdin_fd_ < 0) return err(name_ + " has closed its stdin");
  if (auto s = charge(line.size() + 1); !s.ok()) return s;
  queued_.append(line);
  queued_.push_back('\n');
  return {};
}

Status NodeProcess::flush() {
  Status result;
  while (has_queued_input()) {
    ssize_t w = ::write(stdin_fd_, queued_.data() + queued_offset_, queued_.size() - queued_offset_);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      result = err(name_ + " has closed its stdin");
      release_input();  // nobody will read it
      return result;
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
  recharge();
  return result;
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
    release_input();
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
  release_input();
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

std::vector<std::string> NodeProcess::last_stderr_lines(size_t n) {
  if (stderr_fd_ >= 0) (void)read_stderr([](std::string_view) {});
  return log_.last_lines(n);
}

void NodeProcess::close_log() {
  // Bounded: a descendant still writing must not keep the harness here.
  for (int i = 0; i < 64 && stderr_fd_ >= 0; ++i) {
    size_t before = log_.total_bytes();
    bool open = read_stderr([](std::string_view) {});
    if (!open || log_.total_bytes() == before) break;
  }
  close_fd(&stderr_fd_);
  log_.close();
}

}  // namespace squall::harness
