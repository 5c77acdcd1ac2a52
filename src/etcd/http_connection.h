// HttpConnection: a minimal HTTP/1.1 client connection for etcd's JSON gateway — POST
// with a body, keep-alive, every step bounded by the caller's deadline.
//
// The outcome says how far the request got, because that decides what a caller may
// conclude: NotSent (connect refused or failed, or the request could not be written in
// full, so the server never saw a complete request) versus Sent (written in full, then
// the deadline passed, the connection was lost or the answer was unreadable). The
// response is parsed defensively: a malformed status line, header, chunk or an answer
// over the size limits is an error, never a crash. Reused connections are checked for
// a close by the server before a request is written on them. Host names are resolved
// with getaddrinfo, whose own time-out bounds that step (endpoints given as IP
// addresses, as in Squall's clusters, need no lookup). Not thread-safe: one thread
// drives a connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace squall::etcd {

using Deadline = std::chrono::steady_clock::time_point;

struct HttpResponse {
  int status = 0;
  std::string body;
};

struct HttpOutcome {
  enum class Stage : uint8_t { Answered, NotSent, Sent } stage = Stage::NotSent;
  HttpResponse response;  // when Answered
  std::string error;      // otherwise: what went wrong, for logs
};

class HttpConnection {
 public:
  static constexpr size_t kHeaderBytesMax = 64 * 1024;
  static constexpr size_t kBodyBytesMax = 64 * 1024 * 1024;

  HttpConnection(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}
  ~HttpConnection() { close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Connecting (when no usable connection is open) must finish by connect_deadline,
  // the whole exchange by deadline.
  HttpOutcome post(std::string_view path, std::string_view body, Deadline connect_deadline, Deadline deadline);
  void close();
  bool connected() const { return fd_ >= 0; }
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

 private:
  bool connect_before(Deadline deadline, std::string* error);
  bool usable() const;  // connected, and the server has not closed its end
  bool write_all(std::string_view data, Deadline deadline, std::string* error);
  // Reads into buf_ until it holds at least `want` bytes; false on EOF/error/deadline.
  bool fill(size_t want, Deadline deadline, std::string* error);
  bool read_response(Deadline deadline, HttpResponse* out, bool* keep_alive, std::string* error);
  bool read_chunked(Deadline deadline, std::string* body, std::string* error);

  std::string host_;
  uint16_t port_;
  int fd_ = -1;
  std::string buf_;  // bytes read past the previous response
};

// Parses an HTTP/1.1 response head (status line and headers, without the blank line).
// Exposed for the parser's tests.
struct ResponseHead {
  int status = 0;
  bool chunked = false;
  bool has_length = false;
  size_t content_length = 0;
  bool close = false;
};
bool parse_response_head(std::string_view head, ResponseHead* out, std::string* error);

// Decodes a whole chunked body from `in` (starting at a chunk-size line). Returns the
// bytes consumed (through the trailer's blank line), 0 when `in` is incomplete, and
// SIZE_MAX when it is malformed.
size_t decode_chunked(std::string_view in, size_t body_max, std::string* body);

}  // namespace squall::etcd
