#include "serve/connection.h"

#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <string>

namespace squall::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kStopCheck{100};
constexpr std::chrono::milliseconds kLinger{200};
constexpr size_t kLingerBytes = size_t{1} << 20;
constexpr size_t kFileChunk = size_t{1} << 20;  // per sendfile call; the kernel sends what fits

enum class Wait { kReady, kTimedOut, kStopped };

// Waits until `fd` is ready for `events`, until `deadline`, or until `stop` is set.
Wait wait_for(int fd, short events, Clock::time_point deadline, const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load()) return Wait::kStopped;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::kTimedOut;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min(left, kStopCheck).count()) + 1);
    if (n > 0) return Wait::kReady;  // readiness, or an error the next call will report
  }
}

// Calls `send_some` until `done()`, waiting for the socket between partial sends.
// `send_some` returns what send(2) or sendfile(2) returned. False when the client is gone
// or accepts nothing for send_idle_timeout, or when we are stopping.
template <class Done, class SendSome>
bool send_until(int fd, const ConnectionContext& c, Done done, SendSome send_some) {
  auto deadline = Clock::now() + c.limits.send_idle_timeout;
  while (!done()) {
    if (c.stop.load()) return false;
    ssize_t n = send_some();
    if (n > 0) {
      deadline = Clock::now() + c.limits.send_idle_timeout;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (wait_for(fd, POLLOUT, deadline, c.stop) != Wait::kReady) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Sends all of `data`.
bool send_all(int fd, std::string_view data, const ConnectionContext& c) {
  return send_until(
      fd, c, [&] { return data.empty(); },
      [&] {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) data.remove_prefix(static_cast<size_t>(n));
        return n;
      });
}

// Streams the file's `size` bytes; also false when the file shrank (the client then sees
// fewer bytes than announced).
bool send_file(int fd, const FileBody& file, const ConnectionContext& c) {
  off_t offset = 0;
  const auto size = static_cast<off_t>(file.size());
  return send_until(
      fd, c, [&] { return offset >= size; },
      [&] {
        size_t chunk = std::min(kFileChunk, static_cast<size_t>(size - offset));
        return ::sendfile(fd, file.fd(), &offset, chunk);
      });
}

enum class HeadStatus { kComplete, kTooLarge, kTimedOut, kGone };

// Reads until the blank line that ends the request head, by the head deadline.
HeadStatus read_head(int fd, const ConnectionContext& c, std::string* head) {
  const auto deadline = Clock::now() + c.limits.head_deadline;
  char buf[4096];
  for (;;) {
    if (head->size() > kMaxRequestHead) return HeadStatus::kTooLarge;
    Wait w = wait_for(fd, POLLIN, deadline, c.stop);
    if (w == Wait::kTimedOut) return HeadStatus::kTimedOut;
    if (w == Wait::kStopped) return HeadStatus::kGone;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return HeadStatus::kGone;
    // The blank line may straddle two reads: look again from just before the new bytes.
    size_t from = head->size() < 3 ? 0 : head->size() - 3;
    head->append(buf, static_cast<size_t>(n));
    size_t end = head->find("\r\n\r\n", from);
    if (end != std::string::npos) {
      head->resize(end + 4);  // a body, which GET and HEAD do not have, is ignored
      return HeadStatus::kComplete;
    }
  }
}

// Ends our side, then reads what the client still sends for a moment: closing with unread
// input would reset the connection and could destroy the answer before it is read.
void lingering_close(int fd, const std::atomic<bool>& stop) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + kLinger;
  char buf[4096];
  for (size_t total = 0; total < kLingerBytes;) {
    if (wait_for(fd, POLLIN, deadline, stop) != Wait::kReady) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Parses, checks the Host and calls the handler; the answer to send.
Response answer(const std::string& head, const ConnectionContext& c, bool* head_only) {
  auto req = parse_request(head);
  if (!req.ok()) return error_response(400, req.error());
  *head_only = req->method == "HEAD";
  // A request without a Host (HTTP/1.0) comes from no browser, hence from no rebinding.
  if (!req->host.empty() && !c.hosts.allows(req->host)) {
    return error_response(421, "Host \"" + req->host +
                                   "\" is not this server. To guard the store against DNS rebinding, "
                                   "squall serve answers only requests for " +
                                   c.hosts.describe() + "; add a name with --allow-host.");
  }
  try {
    return c.handler(*req);
  } catch (const std::exception& e) {  // e.g. a directory that vanished mid-listing: this request fails, not the server
    return error_response(500, e.what());
  }
}

}  // namespace

void serve_connection(int fd, const ConnectionContext& c) {
  std::string head;
  switch (read_head(fd, c, &head)) {
    case HeadStatus::kGone: ::close(fd); return;
    case HeadStatus::kTooLarge:
      send_all(fd, render_response(error_response(400, "request head too large"), false), c);
      break;
    case HeadStatus::kTimedOut:
      send_all(fd, render_response(error_response(408, "the request did not arrive in time"), false), c);
      break;
    case HeadStatus::kComplete: {
      bool head_only = false;
      Response resp = answer(head, c, &head_only);
      if (send_all(fd, render_response(resp, head_only), c) && !head_only && resp.file && resp.file->fd() >= 0)
        send_file(fd, *resp.file, c);
      break;
    }
  }
  lingering_close(fd, c.stop);
}

void refuse_connection(int fd, int status, std::string_view detail) {
  std::string wire = render_response(error_response(status, detail), false);
  (void)!::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::close(fd);
}

}  // namespace squall::serve
