#include "cluster_shard/control_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace squall::cluster_shard {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits until fd is ready for `events` or the deadline passes; false on timeout.
bool wait_for(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    const int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

void ControlClient::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status ControlClient::connect_now(int64_t deadline_ms) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1)
    return err(fmt::format("control API: '{}' is not an IPv4 address", host_));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return err(fmt::format("control API: socket: {}", std::strerror(errno)));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    const int e = errno;
    ::close(fd);
    return err(fmt::format("control API {}:{}: connect: {}", host_, port_, std::strerror(e)));
  }
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (!wait_for(fd, POLLOUT, deadline_ms) || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 ||
      so_error != 0) {
    ::close(fd);
    return err(
        fmt::format("control API {}:{}: connect: {}", host_, port_, so_error ? std::strerror(so_error) : "timed out"));
  }
  fd_ = fd;
  return {};
}

Result<std::string> ControlClient::call(const std::string& line, bool* sent) {
  *sent = false;
  const int64_t deadline = now_ms() + timeout_ms_;
  if (fd_ < 0) {
    if (auto s = connect_now(deadline); !s) return err(s.error());
  }
  const std::string out = line + "\n";
  size_t off = 0;
  while (off < out.size()) {
    if (!wait_for(fd_, POLLOUT, deadline)) {
      *sent = off > 0;
      drop();
      return err("control API: send timed out");
    }
    ssize_t n = ::send(fd_, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      *sent = off > 0;
      const int e = errno;
      drop();
      return err(fmt::format("control API: send: {}", std::strerror(e)));
    }
    off += static_cast<size_t>(n);
  }
  *sent = true;
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string answer = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return answer;
    }
    if (buffer_.size() > 1 << 20) {
      drop();
      return err("control API: answer line too long");
    }
    if (!wait_for(fd_, POLLIN, deadline)) {
      drop();
      return err("control API: no answer before the timeout");
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      drop();
      return err(n == 0 ? "control API: connection closed" : "control API: recv failed");
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace squall::cluster_shard
