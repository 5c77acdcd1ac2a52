#include "etcd/http_connection.h"

#include "core/tcp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

namespace squall::etcd {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Parses decimal (base 10) or hex (base 16) digits; false on anything else or overflow.
bool parse_size(std::string_view s, int base, size_t* out) {
  if (s.empty() || s.size() > 16) return false;
  size_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (v > (std::numeric_limits<size_t>::max() - static_cast<size_t>(d)) / static_cast<size_t>(base)) return false;
    v = v * static_cast<size_t>(base) + static_cast<size_t>(d);
  }
  *out = v;
  return true;
}

}  // namespace

bool parse_response_head(std::string_view head, ResponseHead* out, std::string* error) {
  *out = ResponseHead{};
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.x NNN reason"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    *error = "malformed HTTP status line";
    return false;
  }
  size_t code = 0;
  if (!parse_size(status_line.substr(9, 3), 10, &code) || code < 100 || code > 599) {
    *error = "malformed HTTP status code";
    return false;
  }
  out->status = static_cast<int>(code);
  out->close = status_line[7] == '0';  // HTTP/1.0 closes unless told otherwise
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      *error = "malformed HTTP header line";
      return false;
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (!parse_size(value, 10, &out->content_length)) {
        *error = "malformed Content-Length";
        return false;
      }
      out->has_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      if (!iequals(value, "chunked")) {
        *error = "unsupported Transfer-Encoding";
        return false;
      }
      out->chunked = true;
    } else if (iequals(name, "connection")) {
      if (iequals(value, "close")) out->close = true;
      if (iequals(value, "keep-alive")) out->close = false;
    }
  }
  return true;
}

size_t decode_chunked(std::string_view in, size_t body_max, std::string* body) {
  body->clear();
  size_t pos = 0;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return in.size() - pos > 64 ? SIZE_MAX : 0;
    std::string_view size_line = in.substr(pos, eol - pos);
    size_t semi = size_line.find(';');  // chunk extensions are ignored
    if (semi != std::string_view::npos) size_line = size_line.substr(0, semi);
    size_t n = 0;
    if (!parse_size(trim(size_line), 16, &n)) return SIZE_MAX;
    pos = eol + 2;
    if (n == 0) {
      // Trailer fields (etcd sends one), then a blank line.
      for (;;) {
        size_t end = in.find("\r\n", pos);
        if (end == std::string_view::npos) return in.size() - pos > 8192 ? SIZE_MAX : 0;
        if (end == pos) return end + 2;
        pos = end + 2;
      }
    }
    if (n > body_max || body->size() > body_max - n) return SIZE_MAX;
    if (in.size() - pos < n + 2) return 0;
    body->append(in.substr(pos, n));
    pos += n;
    if (in.substr(pos, 2) != "\r\n") return SIZE_MAX;
    pos += 2;
  }
}

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool HttpConnection::usable() const {
  if (fd_ < 0) return false;
  // An idle keep-alive connection is readable only when the server closed it (or sent
  // something unasked): either way it must not carry a request.
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 0;
}

bool HttpConnection::connect_before(Deadline deadline, std::string* error) {
  auto fd = connect_tcp(host_, port_, deadline);
  if (!fd.ok()) {
    *error = fd.error();
    return false;
  }
  fd_ = *fd;
  buf_.clear();
  return true;
}

bool HttpConnection::write_all(std::string_view data, Deadline deadline, std::string* error) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(fd_, POLLOUT, deadline)) {
        *error = "write timed out";
        return false;
      }
      continue;
    }
    *error = std::string("write: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpConnection::fill(size_t want, Deadline deadline, std::string* error) {
  char tmp[16384];
  while (buf_.size() < want) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      *error = "connection closed by the server";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(fd_, POLLIN, deadline)) {
        *error = "timed out waiting for the answer";
        return false;
      }
      continue;
    }
    *error = std::string("read: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool HttpConnection::read_chunked(Deadline deadline, std::string* body, std::string* error) {
  for (;;) {
    size_t used = decode_chunked(buf_, kBodyBytesMax, body);
    if (used == SIZE_MAX) {
      *error = "malformed chunked body";
      return false;
    }
    if (used > 0) {
      buf_.erase(0, used);
      return true;
    }
    if (!fill(buf_.size() + 1, deadline, error)) return false;
  }
}

bool HttpConnection::read_response(Deadline deadline, HttpResponse* out, bool* keep_alive, std::string* error) {
  size_t head_end;
  while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (buf_.size() > kHeaderBytesMax) {
      *error = "HTTP header too large";
      return false;
    }
    if (!fill(buf_.size() + 1, deadline, error)) return false;
  }
  ResponseHead head;
  if (!parse_response_head(std::string_view(buf_).substr(0, head_end), &head, error)) return false;
  buf_.erase(0, head_end + 4);
  out->status = head.status;
  *keep_alive = !head.close;
  if (head.chunked) return read_chunked(deadline, &out->body, error);
  if (!head.has_length) {
    // No length: the body runs to the end of the connection (not used by etcd).
    *error = "HTTP answer without a length";
    return false;
  }
  if (head.content_length > kBodyBytesMax) {
    *error = "HTTP body too large";
    return false;
  }
  if (!fill(head.content_length, deadline, error)) return false;
  out->body.assign(buf_, 0, head.content_length);
  buf_.erase(0, head.content_length);
  return true;
}

HttpOutcome HttpConnection::post(std::string_view path, std::string_view body, Deadline connect_deadline,
                                 Deadline deadline) {
  HttpOutcome o;
  if (!usable()) {
    close();
    if (!connect_before(std::min(connect_deadline, deadline), &o.error)) return o;  // NotSent
  }
  std::string req;
  req.reserve(path.size() + body.size() + 128);
  req.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_);
  req.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
  req.append("\r\n\r\n").append(body);
  if (!write_all(req, deadline, &o.error)) {
    // The server never got the whole request, so it cannot have acted on it.
    close();
    return o;
  }
  o.stage = HttpOutcome::Stage::Sent;
  bool keep_alive = true;
  if (!read_response(deadline, &o.response, &keep_alive, &o.error)) {
    close();
    return o;
  }
  if (!keep_alive) close();
  o.stage = HttpOutcome::Stage::Answered;
  return o;
}

}  // namespace squall::etcd
