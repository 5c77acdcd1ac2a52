#include "serve/http.h"

#include <algorithm>
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

// RFC 9110's tchar: what a method or a header name may be made of.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// Control bytes (horizontal tab aside) have no place in a header value or a target.
bool is_control(char c) {
  auto uc = static_cast<unsigned char>(c);
  return (uc < 0x20 && c != '\t') || uc == 0x7f;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim_whitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Takes the next CRLF-ended line off `rest`; a last line without CRLF is taken whole.
std::string_view next_line(std::string_view* rest) {
  size_t eol = rest->find("\r\n");
  std::string_view line = rest->substr(0, eol);
  rest->remove_prefix(eol == std::string_view::npos ? rest->size() : eol + 2);
  return line;
}

// "GET /path HTTP/1.1": method, decoded path and version (returned through `version`).
Result<Request> parse_request_line(std::string_view line, std::string_view* version) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return err("malformed request line");
  *version = line.substr(sp2 + 1);
  if (*version != "HTTP/1.1" && *version != "HTTP/1.0") return err("unsupported HTTP version");
  Request r;
  std::string_view method = line.substr(0, sp1);
  if (!is_token(method)) return err("malformed method");
  r.method = std::string(method);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  // Only origin-form ("/path"): the store has nothing to proxy.
  if (target.empty() || target[0] != '/') return err("request target must start with '/'");
  if (std::any_of(target.begin(), target.end(), is_control)) return err("control character in request target");
  size_t q = target.find('?');
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    r.query = std::string(query.substr(0, query.find('#')));
  }
  target = target.substr(0, target.find_first_of("?#"));
  auto path = percent_decode(target);
  if (!path.ok()) return err(path.error());
  r.path = std::move(path.value());
  return r;
}

struct Header {
  std::string_view name, value;
};

Result<Header> parse_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return err("folded header lines are not supported");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return err("header line without ':'");
  Header h{line.substr(0, colon), trim_whitespace(line.substr(colon + 1))};
  if (!is_token(h.name)) return err("malformed header name");
  if (std::any_of(h.value.begin(), h.value.end(), is_control))
    return err("control character in header " + std::string(h.name));
  return h;
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

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view pair = query.substr(i, j - i);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string value(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
      std::replace(value.begin(), value.end(), '+', ' ');  // form encoding of a space
      auto decoded = percent_decode(value);
      if (!decoded.ok()) return std::nullopt;
      return std::move(decoded.value());
    }
    i = j + 1;
  }
  return std::nullopt;
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
  std::string_view rest = head;
  std::string_view version;
  auto request = parse_request_line(next_line(&rest), &version);
  if (!request.ok()) return request;
  bool has_host = false;
  while (!rest.empty()) {
    std::string_view line = next_line(&rest);
    if (line.empty()) break;  // the blank line that ends the head
    auto header = parse_header_line(line);
    if (!header.ok()) return err(header.error());
    if (!equals_ignoring_case(header->name, "host")) continue;
    // Two Hosts could be read differently by us and by whatever checked the first one.
    if (has_host) return err("more than one Host header");
    if (header->value.empty()) return err("empty Host header");
    has_host = true;
    request->host = std::string(header->value);
  }
  if (!has_host && version == "HTTP/1.1") return err("HTTP/1.1 request without a Host header");
  return request;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 421: return "Misdirected Request";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

std::string render_response(const Response& r, bool head_only) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", r.status,
                                status_text(r.status), r.content_type, r.content_length());
  if (!r.location.empty()) out += "Location: " + r.location + "\r\n";
  // The store holds untrusted node output: never let a browser sniff a .txt into HTML.
  out += "X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
  if (!head_only && !r.file) out += r.body;
  return out;
}

Response error_response(int status, std::string_view detail) {
  Response r;
  r.status = status;
  r.body = fmt::format("{} {}\n{}\n", status, status_text(status), detail);
  return r;
}

}  // namespace squall::serve
