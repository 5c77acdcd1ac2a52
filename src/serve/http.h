// The small part of HTTP/1.1 that `squall serve` speaks: one request per connection,
// GET and HEAD, responses with a length and "Connection: close".
//
// parse_request() reads a request head (request line and headers, up to the blank line)
// and percent-decodes the path; it rejects what a store browser never needs (absolute-
// form targets, NUL bytes, malformed escapes, folded or malformed header lines) instead
// of guessing. It accepts any bytes without crashing (a fuzz target calls it). Pure
// functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "serve/file_body.h"

namespace squall::serve {

inline constexpr size_t kMaxRequestHead = 16 * 1024;

struct Request {
  std::string method;  // "GET", "HEAD", ...
  std::string path;    // decoded, query and fragment removed; starts with '/'
  std::string query;   // the raw text after '?', not decoded (see query_param)
  std::string host;    // the Host header as sent; empty only for an HTTP/1.0 request without one
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string location;  // for redirects
  // When set, the body is this file, streamed by the server; `body` is then unused.
  std::shared_ptr<const FileBody> file;

  uint64_t content_length() const { return file ? file->size() : body.size(); }
};

// Parses the head of a request: the request line and the header lines, up to the blank
// line or the end of `head` (anything after the blank line is ignored). An HTTP/1.1
// request must name its Host exactly once.
Result<Request> parse_request(std::string_view head);

// Percent-decoding; errors on malformed escapes and on NUL.
Result<std::string> percent_decode(std::string_view text);

// The decoded value of `name` in a query string ("a=1&b=x%20y"); nullopt when absent or
// malformed. '+' reads as a space, as browsers send form fields.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// Percent-encodes everything but unreserved characters and '/', for links.
std::string percent_encode_path(std::string_view path);

// The response as bytes on the wire; HEAD gets the headers only, and a file body is never
// included (the server streams it after these bytes).
std::string render_response(const Response& r, bool head_only);

std::string_view status_text(int status);

// A plain error page for `status`.
Response error_response(int status, std::string_view detail);

}  // namespace squall::serve
