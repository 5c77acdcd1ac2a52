#include "net/envelope.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>

namespace squall::net {
namespace {

// A validating JSON scanner over a byte range. It checks syntax (RFC 8259 grammar,
// without UTF-8 validation) and skips values, recording only what the caller asks for.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  const char* pos() const { return p_; }

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool at_end() const { return p_ >= end_; }
  bool peek(char c) const { return p_ < end_ && *p_ == c; }

  bool expect(char c) {
    skip_ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return fail(fmt::format("expected '{}'", c));
  }

  bool fail(const std::string& what) {
    if (error_.empty()) {
      if (p_ >= end_) {
        error_ = fmt::format("{} but the line ended at offset {}", what, offset());
      } else {
        unsigned char c = static_cast<unsigned char>(*p_);
        if (c >= 0x20 && c < 0x7f) {
          error_ = fmt::format("{}, found '{}' at offset {}", what, static_cast<char>(c), offset());
        } else {
          error_ = fmt::format("{}, found byte 0x{:02x} at offset {}", what, c, offset());
        }
      }
    }
    return false;
  }

  // Scans a string starting at '"'; *raw_inner gets the bytes between the quotes and
  // *escaped whether any backslash escape occurred.
  bool string(std::string_view* raw_inner, bool* escaped) {
    skip_ws();
    if (!peek('"')) return fail("expected a string");
    ++p_;
    const char* start = p_;
    *escaped = false;
    while (p_ < end_) {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *raw_inner = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c < 0x20) return fail("control character inside a string");
      if (c == '\\') {
        *escaped = true;
        ++p_;
        if (p_ >= end_) break;
        char e = *p_;
        if (e == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (p_ + i >= end_ || !std::isxdigit(static_cast<unsigned char>(p_[i]))) {
              p_ += i;
              return fail("bad \\u escape");
            }
          }
          p_ += 5;
          continue;
        }
        if (!std::strchr("\"\\/bfnrt", e)) return fail("bad escape in a string");
      }
      ++p_;
    }
    return fail("unterminated string");
  }

  bool number(bool* is_integer, int64_t* int_value) {
    skip_ws();
    const char* start = p_;
    bool neg = false;
    if (peek('-')) {
      neg = true;
      ++p_;
    }
    if (p_ >= end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return fail("expected a digit");
    bool overflow = false;
    uint64_t mag = 0;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) {
        uint64_t d = static_cast<uint64_t>(*p_ - '0');
        if (mag > (UINT64_MAX - d) / 10) overflow = true;
        mag = mag * 10 + d;
        ++p_;
      }
    }
    bool integer = true;
    if (peek('.')) {
      integer = false;
      ++p_;
      if (p_ >= end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return fail("expected a digit after '.'");
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    if (peek('e') || peek('E')) {
      integer = false;
      ++p_;
      if (peek('+') || peek('-')) ++p_;
      if (p_ >= end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return fail("expected a digit in the exponent");
      while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    (void)start;
    if (overflow || mag > static_cast<uint64_t>(INT64_MAX) + (neg ? 1u : 0u)) integer = false;
    *is_integer = integer;
    if (integer) *int_value = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
    return true;
  }

  bool literal(const char* word) {
    size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) >= n && std::memcmp(p_, word, n) == 0) {
      p_ += n;
      return true;
    }
    return fail("expected a JSON value");
  }

  // Skips any value, validating it.
  bool value(int depth) {
    if (depth > kMaxJsonDepth) return fail(fmt::format("nesting deeper than {}", kMaxJsonDepth));
    skip_ws();
    if (p_ >= end_) return fail("expected a JSON value");
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': {
        std::string_view s;
        bool esc;
        return string(&s, &esc);
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: {
        bool integer;
        int64_t v;
        return number(&integer, &v);
      }
    }
  }

  bool object(int depth) {
    ++p_;  // '{'
    skip_ws();
    if (peek('}')) {
      ++p_;
      return true;
    }
    while (true) {
      std::string_view key;
      bool esc;
      if (!string(&key, &esc)) return false;
      if (!expect(':')) return false;
      if (!value(depth)) return false;
      skip_ws();
      if (peek(',')) {
        ++p_;
        continue;
      }
      if (peek('}')) {
        ++p_;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(int depth) {
    ++p_;  // '['
    skip_ws();
    if (peek(']')) {
      ++p_;
      return true;
    }
    while (true) {
      if (!value(depth)) return false;
      skip_ws();
      if (peek(',')) {
        ++p_;
        continue;
      }
      if (peek(']')) {
        ++p_;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::string error_;
};

std::string clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 40)) + "...";
}

}  // namespace

Result<Envelope> parse_envelope(std::string_view line) {
  Scanner sc(line);
  Envelope env;
  bool have_src = false, have_dest = false, have_body = false;
  sc.skip_ws();
  if (!sc.peek('{')) {
    sc.fail("not a JSON object: expected '{'");
    return err("not JSON: " + sc.error());
  }
  sc.expect('{');
  sc.skip_ws();
  if (sc.peek('}')) return err("bad envelope: empty object (needs src, dest and body)");
  while (true) {
    std::string_view key;
    bool esc;
    if (!sc.string(&key, &esc) || !sc.expect(':')) return err("not JSON: " + sc.error());
    sc.skip_ws();
    if (key == "src" || key == "dest") {
      std::string_view v;
      bool vesc;
      if (!sc.peek('"')) {
        if (!sc.value(1)) return err("not JSON: " + sc.error());
        return err(fmt::format("bad envelope: \"{}\" must be a string", key));
      }
      if (!sc.string(&v, &vesc)) return err("not JSON: " + sc.error());
      if (vesc) return err(fmt::format("bad envelope: \"{}\" contains escapes; node ids are plain strings", key));
      bool& seen = key == "src" ? have_src : have_dest;
      if (seen) return err(fmt::format("bad envelope: duplicate key \"{}\"", key));
      seen = true;
      (key == "src" ? env.src : env.dest) = v;
    } else if (key == "body") {
      if (have_body) return err("bad envelope: duplicate key \"body\"");
      have_body = true;
      bool is_object = sc.peek('{');
      const char* start = sc.pos();
      if (!sc.value(1)) return err("not JSON: " + sc.error());
      if (!is_object) return err("bad envelope: \"body\" must be an object");
      env.body = std::string_view(start, static_cast<size_t>(sc.pos() - start));
    } else if (key == "id") {
      if (env.has_id) return err("bad envelope: duplicate key \"id\"");
      env.has_id = true;
      if (!sc.value(1)) return err("not JSON: " + sc.error());
    } else {
      if (!sc.value(1)) return err("not JSON: " + sc.error());
      return err(fmt::format("bad envelope: unknown top-level key \"{}\" (only src, dest, body, id)", clip(key)));
    }
    sc.skip_ws();
    if (sc.peek(',')) {
      sc.expect(',');
      continue;
    }
    if (!sc.expect('}')) return err("not JSON: " + sc.error());
    break;
  }
  sc.skip_ws();
  if (!sc.at_end()) {
    sc.fail("trailing characters after the object");
    return err("not JSON: " + sc.error());
  }
  if (!have_src) return err("bad envelope: missing \"src\"");
  if (!have_dest) return err("bad envelope: missing \"dest\"");
  if (!have_body) return err("bad envelope: missing \"body\"");
  if (env.src.empty()) return err("bad envelope: empty \"src\"");
  if (env.dest.empty()) return err("bad envelope: empty \"dest\"");
  return env;
}

Result<BodyHead> parse_body_head(std::string_view body) {
  Scanner sc(body);
  BodyHead head;
  if (!sc.expect('{')) return err("body: " + sc.error());
  sc.skip_ws();
  if (sc.peek('}')) return head;
  while (true) {
    std::string_view key;
    bool esc;
    if (!sc.string(&key, &esc) || !sc.expect(':')) return err("body: " + sc.error());
    sc.skip_ws();
    if (key == "type" && sc.peek('"')) {
      std::string_view v;
      bool vesc;
      if (!sc.string(&v, &vesc)) return err("body: " + sc.error());
      head.type = v;
      head.has_type = !vesc;  // types with escapes are treated as unknown types
    } else if ((key == "msg_id" || key == "in_reply_to") && !sc.peek('"') && !sc.peek('{') && !sc.peek('[') &&
               !sc.peek('t') && !sc.peek('f') && !sc.peek('n')) {
      bool integer;
      int64_t v = 0;
      if (!sc.number(&integer, &v)) return err("body: " + sc.error());
      if (integer) {
        if (key == "msg_id") {
          head.has_msg_id = true;
          head.msg_id = v;
        } else {
          head.has_in_reply_to = true;
          head.in_reply_to = v;
        }
      }
    } else {
      if (!sc.value(1)) return err("body: " + sc.error());
    }
    sc.skip_ws();
    if (sc.peek(',')) {
      sc.expect(',');
      continue;
    }
    if (!sc.expect('}')) return err("body: " + sc.error());
    return head;
  }
}

bool is_valid_json(std::string_view text) {
  Scanner sc(text);
  if (!sc.value(0)) return false;
  sc.skip_ws();
  return sc.at_end();
}

std::string encode_envelope(int64_t id, std::string_view src, std::string_view dest, std::string_view body) {
  SQ_ASSERT(src.find_first_of("\"\\") == std::string_view::npos);
  SQ_ASSERT(dest.find_first_of("\"\\") == std::string_view::npos);
  std::string out;
  out.reserve(body.size() + src.size() + dest.size() + 48);
  out += "{\"id\":";
  out += std::to_string(id);
  out += ",\"src\":\"";
  out += src;
  out += "\",\"dest\":\"";
  out += dest;
  out += "\",\"body\":";
  out += body;
  out += '}';
  return out;
}

}  // namespace squall::net
