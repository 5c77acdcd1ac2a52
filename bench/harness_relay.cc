// harness_relay: the physical reference for `squall test` routing throughput.
//
// Starts N copies of a node binary on pipes (like the harness), sends each an init,
// then for a fixed time relays every line a node writes to the node named in its
// "dest" field, found by a plain substring search. No validation, no simulated network,
// no journal, no history: only the pipe work every router must do. Prints one JSON line
// with messages relayed, messages per second and the relay's own CPU per message.
//   harness_relay <nodes> <seconds> <node-binary> [node args...]
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Child {
  pid_t pid;
  int in;
  int out;
  std::string buf;
};

void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: harness_relay <nodes> <seconds> <node-binary> [args...]\n");
    return 2;
  }
  int n = std::atoi(argv[1]);
  double seconds = std::atof(argv[2]);
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<Child> kids;
  for (int i = 0; i < n; ++i) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC)) return 1;
    ::fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
    ::fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::execv(argv[3], argv + 3);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    kids.push_back(Child{pid, in[1], out[0], {}});
  }
  std::string ids;
  for (int i = 0; i < n; ++i) ids += std::string(i ? "," : "") + "\"n" + std::to_string(i) + "\"";
  int ep = ::epoll_create1(0);
  for (int i = 0; i < n; ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    ::epoll_ctl(ep, EPOLL_CTL_ADD, kids[static_cast<size_t>(i)].out, &ev);
    std::string init = "{\"id\":" + std::to_string(i) + ",\"src\":\"c" + std::to_string(i) + "\",\"dest\":\"n" +
                       std::to_string(i) + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,\"node_id\":\"n" +
                       std::to_string(i) + "\",\"node_ids\":[" + ids + "]}}\n";
    write_all(kids[static_cast<size_t>(i)].in, init.data(), init.size());
  }
  long long relayed = 0;
  auto start = std::chrono::steady_clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  std::vector<epoll_event> evs(64);
  char chunk[65536];
  while (std::chrono::steady_clock::now() < end) {
    int k = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
    for (int e = 0; e < k; ++e) {
      Child& c = kids[evs[static_cast<size_t>(e)].data.u32];
      ssize_t r = ::read(c.out, chunk, sizeof chunk);
      if (r <= 0) continue;
      c.buf.append(chunk, static_cast<size_t>(r));
      size_t s = 0;
      for (size_t nl; (nl = c.buf.find('\n', s)) != std::string::npos; s = nl + 1) {
        std::string_view line(c.buf.data() + s, nl - s + 1);
        auto d = line.find("\"dest\":\"n");
        if (d == std::string_view::npos) continue;  // init_ok to a client
        int dest = std::atoi(line.data() + d + 9);
        if (dest < 0 || dest >= n) continue;
        write_all(kids[static_cast<size_t>(dest)].in, line.data(), line.size());
        ++relayed;
      }
      c.buf.erase(0, s);
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  for (auto& c : kids) {
    ::kill(c.pid, SIGKILL);
    ::waitpid(c.pid, nullptr, 0);
  }
  std::printf("{\"nodes\":%d,\"messages\":%lld,\"seconds\":%.3f,\"msgs_per_s\":%.0f,\"cpu_us_per_msg\":%.3f}\n", n,
              relayed, wall, static_cast<double>(relayed) / wall,
              relayed ? cpu_ms * 1e3 / static_cast<double>(relayed) : 0);
  return 0;
}
