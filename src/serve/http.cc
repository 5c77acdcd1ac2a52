#include "serve/http.h"

#include <cctype>

#include <fmt/format.h>

namespace squall::serve {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return err("truncated percent escape");
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return err("malformed percent escape");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return err("NUL in path");
    out += c;
  }
  return out;
}

std::string percent_encode_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    auto uc = static_cast<unsigned char>(c);
    if (std::isalnum(uc) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", uc);
    }
  }
  return out;
}

Result<Request> parse_request(std::string_view head) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return err("malformed request line");
  std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return err("unsupported HTTP version");
  Request r;
  r.method = std::string(line.substr(0, sp1));
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  // Only origin-form ("/path"): the store has nothing to proxy.
  if (target.empty() || target[0] != '/') return err("request target must start with '/'");
  target = target.substr(0, target.find_first_of("?#"));
  auto path = percent_decode(target);
  if (!path.ok()) return err(path.error());
  r.path = std::move(path.value());
  return r;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
  }
  return "Unknown";
}

std::string render_response(const Response& r, bool head_only) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", r.status, status_text(r.status),
                                r.content_type, r.body.size());
  if (!r.location.empty()) out += "Location: " + r.location + "\r\n";
  // The store holds untrusted node output: never let a browser sniff a .txt into HTML.
  out += "X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
  if (!head_only) out += r.body;
  return out;
}

Response error_response(int status, std::string_view detail) {
  Response r;
  r.status = status;
  r.body = fmt::format("{} {}\n{}\n", status, status_text(status), detail);
  return r;
}

}  // namespace squall::serve
