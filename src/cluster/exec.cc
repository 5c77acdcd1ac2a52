#include "cluster/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace squall::cluster {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void close_fd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// Child side: wire the pipes to 0/1/2, run the hook, exec. Only async-signal-safe calls.
[[noreturn]] void exec_child(int in_r, int out_w, int err_w, char* const* argv, const std::function<bool()>& in_child) {
  ::setpgid(0, 0);
  ::dup2(in_r, 0);
  ::dup2(out_w, 1);
  ::dup2(err_w, 2);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s : {SIGPIPE, SIGINT, SIGTERM}) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (in_child && !in_child()) {
    const char* msg = "squall: entering the node failed: ";
    (void)!::write(2, msg, std::strlen(msg));
    const char* why = std::strerror(errno);
    (void)!::write(2, why, std::strlen(why));
    ::_exit(126);
  }
  ::execvp(argv[0], argv);
  const char* msg = "squall: exec failed\n";
  (void)!::write(2, msg, std::strlen(msg));
  ::_exit(127);
}

}  // namespace

std::string ExecResult::describe() const {
  if (start_failed) return "could not start: " + err;
  if (timed_out) return "timed out";
  std::string first = err.substr(0, err.find('\n'));
  if (first.empty()) first = out.substr(0, out.find('\n'));
  if (signal != 0) return fmt::format("killed by signal {}", signal);
  return fmt::format("exit {}{}{}", exit_code, first.empty() ? "" : ": ", first);
}

ExecResult run_command(const ExecRequest& req, const std::function<bool()>& in_child) {
  // Writing stdin to a child that already exited must not kill squall.
  static const bool sigpipe_ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;
  ExecResult r;
  if (req.argv.empty()) {
    r.start_failed = true;
    r.err = "empty command";
    return r;
  }
  std::vector<char*> argv;
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    r.start_failed = true;
    r.err = std::strerror(errno);
    return r;
  }
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    r.start_failed = true;
    r.err = std::strerror(errno);
    ::close(in[0]);
    ::close(in[1]);
    return r;
  }
  pid_t pid = ::fork();
  if (pid == 0) exec_child(in[0], out[1], err[1], argv.data(), in_child);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    r.start_failed = true;
    r.err = std::strerror(errno);
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return r;
  }
  int in_w = in[1], out_r = out[0], err_r = err[0];
  ::fcntl(in_w, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (req.stdin_data.empty()) close_fd(&in_w);
  const int64_t deadline = now_ms() + req.timeout_ms;
  char buf[65536];
  while (out_r >= 0 || err_r >= 0) {
    pollfd fds[3];
    int n = 0;
    int idx_out = -1, idx_err = -1, idx_in = -1;
    if (out_r >= 0) fds[idx_out = n++] = {out_r, POLLIN, 0};
    if (err_r >= 0) fds[idx_err = n++] = {err_r, POLLIN, 0};
    if (in_w >= 0) fds[idx_in = n++] = {in_w, POLLOUT, 0};
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    int pr = ::poll(fds, n, static_cast<int>(left));
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    auto drain = [&](int idx, int* fd, std::string* into) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t k = ::read(*fd, buf, sizeof buf);
      if (k > 0) {
        size_t room = req.output_bytes_max > into->size() ? req.output_bytes_max - into->size() : 0;
        into->append(buf, std::min(room, static_cast<size_t>(k)));
      } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
        close_fd(fd);
      }
    };
    drain(idx_out, &out_r, &r.out);
    drain(idx_err, &err_r, &r.err);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t k = ::write(in_w, req.stdin_data.data() + written, req.stdin_data.size() - written);
      if (k > 0) written += static_cast<size_t>(k);
      if ((k < 0 && errno != EAGAIN && errno != EINTR) || written == req.stdin_data.size()) close_fd(&in_w);
    }
  }
  close_fd(&in_w);
  close_fd(&out_r);
  close_fd(&err_r);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

ExecResult run_argv(std::vector<std::string> argv, int64_t timeout_ms) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.timeout_ms = timeout_ms;
  return run_command(req);
}

}  // namespace squall::cluster
