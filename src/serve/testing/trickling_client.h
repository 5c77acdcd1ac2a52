// TricklingClient: a slow HTTP client for tests of squall serve. It connects to
// 127.0.0.1:port and sends `text` one byte per `interval` on its own thread, reading
// whatever the server answers, until the server closes the connection or the client is
// destroyed; after the last byte it only reads. Tests use it to hold a connection open the
// way a stalled or hostile client would, and to see whether and when the server cuts it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace squall::testing {

class TricklingClient {
 public:
  using Clock = std::chrono::steady_clock;

  TricklingClient(int port, std::string text, std::chrono::milliseconds interval)
      : text_(std::move(text)), interval_(interval) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (connected_) thread_ = std::thread([this] { run(); });
  }
  ~TricklingClient() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  TricklingClient(const TricklingClient&) = delete;
  TricklingClient& operator=(const TricklingClient&) = delete;

  bool connected() const { return connected_; }

  // Waits up to `timeout` for the server to close the connection; true if it did.
  bool wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return closed_; });
  }

  // What the server has sent so far.
  std::string received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void run() {
    size_t next = 0;
    while (!stop_.load()) {
      if (next < text_.size() && ::send(fd_, &text_[next], 1, MSG_NOSIGNAL) == 1) ++next;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(interval_.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      std::lock_guard lock(mu_);
      if (n > 0) {
        received_.append(buf, static_cast<size_t>(n));
        continue;
      }
      closed_ = true;  // end of stream or reset: either way the server let go
      cv_.notify_all();
      return;
    }
  }

  std::string text_;
  std::chrono::milliseconds interval_;
  int fd_ = -1;
  bool connected_ = false;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  std::string received_;
  std::thread thread_;
};

}  // namespace squall::testing
