#include "core/tcp.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace squall {
namespace {

// Milliseconds left, clamped to poll's range (a minute at a time; the loop re-polls).
int ms_until(SteadyDeadline d) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - std::chrono::steady_clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

// Connects fd to one address; "" on success, else why not.
std::string connect_one(int fd, const addrinfo* ai, SteadyDeadline deadline) {
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return "";
  if (errno != EINPROGRESS) return std::strerror(errno);
  if (!wait_fd(fd, POLLOUT, deadline)) return "timed out";
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return std::strerror(errno);
  return so_error == 0 ? "" : std::strerror(so_error);
}

}  // namespace

bool wait_fd(int fd, short events, SteadyDeadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int left = ms_until(deadline);
    const int r = ::poll(&p, 1, left);
    if (r > 0) return true;
    if (r == 0) {
      if (left == 0 || std::chrono::steady_clock::now() >= deadline) return false;
      continue;
    }
    if (errno != EINTR) return false;
  }
}

Result<int> connect_tcp(const std::string& host, uint16_t port, SteadyDeadline deadline) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    return err("resolve " + host + ": " + gai_strerror(rc));
  std::string why = "no address";
  int connected = -1;
  for (addrinfo* ai = res; ai != nullptr && connected < 0; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    why = connect_one(fd, ai, deadline);
    if (!why.empty()) {
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected = fd;
  }
  ::freeaddrinfo(res);
  if (connected < 0) return err("connect to " + where + ": " + why);
  return connected;
}

}  // namespace squall
