#include "cluster_shard/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/tcp.h"

namespace squall::cluster_shard {
namespace {

SteadyDeadline after_ms(int64_t ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }

}  // namespace

void ControlClient::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status ControlClient::connect_now(SteadyDeadline deadline) {
  auto fd = connect_tcp(host_, port_, deadline);
  if (!fd.ok()) return err("control API: " + fd.error());
  fd_ = *fd;
  return {};
}

Result<std::string> ControlClient::call(const std::string& line, bool* sent) {
  *sent = false;
  const SteadyDeadline deadline = after_ms(timeout_ms_);
  if (fd_ < 0) {
    if (auto s = connect_now(deadline); !s) return err(s.error());
  }
  const std::string out = line + "\n";
  size_t off = 0;
  while (off < out.size()) {
    if (!wait_fd(fd_, POLLOUT, deadline)) {
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
    if (!wait_fd(fd_, POLLIN, deadline)) {
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
