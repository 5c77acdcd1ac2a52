#include "harness/descendant_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace squall::harness {
namespace {

// ---- the watchdog: runs in a forked child, so it keeps to system calls and static
// buffers (no allocation) ----

constexpr size_t kMaxTracked = 4096;
constexpr size_t kRecord = 1 + sizeof(pid_t);  // 'T' or 'F', then the process group id

// The fixed part of a getdents64 record; the NUL-terminated name follows d_type.
struct Dirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
};
constexpr size_t kDirentName = offsetof(Dirent64, d_type) + 1;

bool parse_pid(const char* s, pid_t* out) {
  if (*s == '\0') return false;
  long v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9' || v > 100'000'000) return false;
    v = v * 10 + (*s - '0');
  }
  *out = static_cast<pid_t>(v);
  return true;
}

// Whether /proc/<pid>/environ contains `marker` (a process's environment may be long:
// it is read in chunks that overlap by the marker's length).
bool environ_has(const char* pid, const char* marker, size_t mlen) {
  char path[64] = "/proc/";
  size_t len = std::strlen(path);
  for (const char* p = pid; *p && len < 40; ++p) path[len++] = *p;
  std::memcpy(path + len, "/environ", sizeof "/environ");
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[8192 + 512];
  size_t keep = 0;
  bool found = false;
  while (!found) {
    ssize_t r = ::read(fd, buf + keep, 8192);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    size_t have = keep + static_cast<size_t>(r);
    found = ::memmem(buf, have, marker, mlen) != nullptr;
    keep = std::min(have, mlen - 1);
    std::memmove(buf, buf + have - keep, keep);
  }
  ::close(fd);
  return found;
}

// SIGKILLs every process whose environment carries the marker; returns how many.
int kill_marked(const char* marker, size_t mlen) {
  int dfd = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return 0;
  static char dbuf[16384];
  pid_t self = ::getpid();
  int killed = 0;
  while (true) {
    long n = ::syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const auto* d = reinterpret_cast<const Dirent64*>(dbuf + off);
      off += d->d_reclen;
      pid_t pid = 0;
      const char* name = reinterpret_cast<const char*>(d) + kDirentName;
      if (!parse_pid(name, &pid) || pid == self) continue;
      if (environ_has(name, marker, mlen) && ::kill(pid, SIGKILL) == 0) ++killed;
    }
  }
  ::close(dfd);
  return killed;
}

[[noreturn]] void watchdog_main(int rfd, const char* marker, size_t mlen) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) ::signal(sig, SIG_IGN);
  ::setsid();  // out of squall's process group: a group kill or a hangup must not reach it
  int devnull = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3 && devnull >= 0; ++fd) ::dup2(devnull, fd);
  if (rfd != 3) {
    ::dup2(rfd, 3);
    rfd = 3;
  }
  // Hold nothing of squall's: its stdout must reach end of file when squall exits.
  if (::syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
    for (int fd = 4; fd < 65536; ++fd) ::close(fd);
  }
  static pid_t groups[kMaxTracked];
  size_t count = 0;
  char rec[kRecord];
  size_t have = 0;
  while (true) {
    ssize_t r = ::read(rfd, rec + have, kRecord - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // squall is gone (or done): act
    have += static_cast<size_t>(r);
    if (have < kRecord) continue;
    have = 0;
    pid_t pgid;
    std::memcpy(&pgid, rec + 1, sizeof pgid);
    if (rec[0] == 'T' && count < kMaxTracked) {
      groups[count++] = pgid;
    } else if (rec[0] == 'F') {
      for (size_t i = 0; i < count; ++i) {
        if (groups[i] != pgid) continue;
        groups[i] = groups[--count];
        break;
      }
    }
  }
  for (size_t i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
  // A killed process lingers until the kernel tears it down; look again until a pass
  // finds nothing (bounded: a process forking faster than we kill is not our problem).
  for (int round = 0; round < 50 && kill_marked(marker, mlen) > 0; ++round) {
    timespec pause{0, 10'000'000};
    ::nanosleep(&pause, nullptr);
  }
  ::_exit(0);
}

// ---- squall's side ----

std::string random_token() {
  unsigned char bytes[16] = {};
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    uint64_t t = static_cast<uint64_t>(std::time(nullptr)) ^ reinterpret_cast<uintptr_t>(&bytes);
    std::memcpy(bytes, &t, sizeof t);
  }
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return fmt::format("{}-{}", ::getpid(), hex);
}

struct Child {
  pid_t pid;
  char state;
};

// Children of this process, from /proc/<pid>/stat ("pid (comm) S ppid ...").
std::vector<Child> children() {
  std::vector<Child> out;
  pid_t self = ::getpid();
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (const dirent* d = ::readdir(dir)) {
    pid_t pid = 0;
    if (!parse_pid(d->d_name, &pid)) continue;
    std::ifstream in(std::string("/proc/") + d->d_name + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == self) out.push_back({pid, state});
  }
  ::closedir(dir);
  return out;
}

std::string command_of(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid));
  std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  if (cmd.size() > 200) cmd = cmd.substr(0, 200) + "...";
  return cmd;
}

}  // namespace

Result<std::unique_ptr<DescendantGuard>> DescendantGuard::create() {
  auto guard = std::unique_ptr<DescendantGuard>(new DescendantGuard());
  guard->marker_env_ = "SQUALL_RUN_MARKER=" + random_token();
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return err(std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno));
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return err(std::string("pipe: ") + std::strerror(errno));
  const char* marker = guard->marker_env_.c_str();
  size_t mlen = guard->marker_env_.size();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return err(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[1]);
    watchdog_main(fds[0], marker, mlen);
  }
  ::close(fds[0]);
  // Never block the run on a slow watchdog: a lost record only weakens the last net.
  ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
  guard->pipe_ = fds[1];
  guard->watchdog_ = pid;
  return guard;
}

DescendantGuard::~DescendantGuard() {
  tracked_.clear();
  (void)kill_all();
  if (pipe_ >= 0) ::close(pipe_);
  // The watchdog now sweeps for marked processes and exits; its scan takes milliseconds.
  for (int i = 0; i < 200 && watchdog_ > 0; ++i) {
    pid_t r = ::waitpid(watchdog_, nullptr, WNOHANG);
    if (r == watchdog_ || (r < 0 && errno != EINTR)) break;
    timespec pause{0, 10'000'000};
    ::nanosleep(&pause, nullptr);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

void DescendantGuard::send(char op, pid_t pgid) {
  char rec[kRecord];
  rec[0] = op;
  std::memcpy(rec + 1, &pgid, sizeof pgid);
  ssize_t w;
  do {
    w = ::write(pipe_, rec, sizeof rec);  // below PIPE_BUF: all or nothing
  } while (w < 0 && errno == EINTR);
}

void DescendantGuard::track(pid_t pgid) {
  tracked_.push_back(pgid);
  send('T', pgid);
}

void DescendantGuard::forget(pid_t pgid) {
  auto it = std::find(tracked_.begin(), tracked_.end(), pgid);
  if (it == tracked_.end()) return;
  tracked_.erase(it);
  send('F', pgid);
}

bool DescendantGuard::tracked(pid_t pid) const {
  return pid == watchdog_ || std::find(tracked_.begin(), tracked_.end(), pid) != tracked_.end();
}

void DescendantGuard::reap_exited_orphans() {
  for (int k = 0; k < 64; ++k) {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    if (tracked(info.si_pid)) return;
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

std::vector<LeftoverProcess> DescendantGuard::kill_all() {
  std::vector<LeftoverProcess> left;
  std::vector<pid_t> seen;
  for (int round = 0; round < 1000; ++round) {
    std::vector<Child> kids = children();
    kids.erase(std::remove_if(kids.begin(), kids.end(), [&](const Child& c) { return tracked(c.pid); }), kids.end());
    if (kids.empty()) break;
    for (const Child& c : kids) {
      if (c.state != 'Z' && std::find(seen.begin(), seen.end(), c.pid) == seen.end()) {
        seen.push_back(c.pid);
        left.push_back({c.pid, command_of(c.pid)});
      }
      ::kill(c.pid, SIGKILL);
    }
    for (const Child& c : kids) {
      pid_t r;
      do {
        r = ::waitpid(c.pid, nullptr, 0);
      } while (r < 0 && errno == EINTR);
    }
  }
  return left;
}

}  // namespace squall::harness
