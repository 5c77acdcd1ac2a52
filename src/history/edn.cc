#include "history/edn.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

namespace squall::history {

namespace {

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\f'; }

bool is_token_char(int c) {
  if (c == TextInput::kEof) return false;
  if (std::isalnum(c)) return true;
  return std::strchr(".*+!-_?$%&=<>/:'#|", c) != nullptr && c != 0;
}

std::string describe(int c) {
  if (c == TextInput::kEof) return "end of input";
  if (c == '\n') return "end of line";
  if (c >= 32 && c < 127) return std::string("'") + static_cast<char>(c) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
  return buf;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

int EdnReader::skip_space() {
  while (true) {
    int c = in_->peek();
    if (is_space(c)) {
      in_->get();
    } else if (c == ';') {
      while (c != '\n' && c != TextInput::kEof) c = in_->get();
    } else {
      return c;
    }
  }
}

Result<Value> EdnReader::read() { return read_form(0); }

std::string EdnReader::read_token() {
  std::string tok;
  while (is_token_char(in_->peek()) && tok.size() <= limits_.string_bytes_max)
    tok.push_back(static_cast<char>(in_->get()));
  return tok;
}

Result<Value> EdnReader::read_form(int depth) {
  if (depth > limits_.depth_max)
    return in_->error_here("nesting deeper than " + std::to_string(limits_.depth_max) + " levels");
  // Discards (#_) and metadata (^) drop a form and go on to the next one: a loop, not a
  // recursive call, so that a long run of them cannot exhaust the stack.
  while (true) {
    int c = skip_space();
    switch (c) {
      case TextInput::kEof: return in_->error_here("expected a value, found end of input");
      case '"': return read_string();
      case '\\': return read_char();
      case '[': {
        in_->get();
        std::vector<Value> items;
        if (auto r = read_collection(']', depth, &items); !r.ok()) return r;
        return Value::vector(std::move(items));
      }
      case '(': {
        in_->get();
        std::vector<Value> items;
        if (auto r = read_collection(')', depth, &items); !r.ok()) return r;
        return Value::list(std::move(items));
      }
      case '{': {
        int line = in_->line();
        in_->get();
        std::vector<Value> items;
        if (auto r = read_collection('}', depth, &items); !r.ok()) return r;
        if (items.size() % 2 != 0)
          return in_->error_at(line,
                               "expected a map with an even number of forms, found " + std::to_string(items.size()));
        std::vector<std::pair<Value, Value>> entries;
        entries.reserve(items.size() / 2);
        for (size_t i = 0; i < items.size(); i += 2) entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
        return Value::map(std::move(entries));
      }
      case ':': {
        in_->get();
        std::string name = read_token();
        if (name.empty()) return in_->error_here("expected a keyword name after ':', found " + describe(in_->peek()));
        return Value::keyword(std::move(name));
      }
      case '#': {
        in_->get();
        int d = in_->peek();
        if (d == '{') {
          in_->get();
          std::vector<Value> items;
          if (auto r = read_collection('}', depth, &items); !r.ok()) return r;
          return Value::set(std::move(items));
        }
        if (d == '#') {  // symbolic values ##NaN ##Inf ##-Inf
          in_->get();
          std::string sym = read_token();
          if (sym == "NaN") return Value::floating(std::nan(""));
          if (sym == "Inf") return Value::floating(HUGE_VAL);
          if (sym == "-Inf") return Value::floating(-HUGE_VAL);
          return in_->error_here("expected NaN, Inf or -Inf after '##', found '" + sym + "'");
        }
        if (d == '_') {  // discard the next form
          in_->get();
          if (auto r = read_form(depth + 1); !r.ok()) return r;
          continue;
        }
        std::string tag = read_token();
        if (tag.empty() || !std::isalpha(static_cast<unsigned char>(tag[0])))
          return in_->error_here("expected '{', '_' or a tag after '#', found " + describe(d));
        auto inner = read_form(depth + 1);
        if (!inner.ok()) return inner;
        return Value::tagged(std::move(tag), std::move(inner).value());
      }
      case '^': {  // metadata: read and drop it
        in_->get();
        if (auto r = read_form(depth + 1); !r.ok()) return r;
        continue;
      }
      case ']':
      case ')':
      case '}': return in_->error_here("expected a value, found unmatched " + describe(c));
      default:
        if (is_token_char(c)) return read_number_or_symbol();
        return in_->error_here("expected a value, found " + describe(c));
    }
  }
}

Result<Value> EdnReader::read_collection(int close, int depth, std::vector<Value>* items) {
  int open_line = in_->line();
  while (true) {
    int c = skip_space();
    if (c == close) {
      in_->get();
      return Value();
    }
    if (c == TextInput::kEof)
      return in_->error_here(std::string("expected '") + static_cast<char>(close) +
                             "' to close the collection opened on line " + std::to_string(open_line) +
                             ", found end of input");
    if (c == ']' || c == ')' || c == '}')
      return in_->error_here(std::string("expected '") + static_cast<char>(close) + "', found " + describe(c));
    if (items->size() >= limits_.collection_items_max)
      return in_->error_here("collection has more than the limit of " + std::to_string(limits_.collection_items_max) +
                             " items");
    auto item = read_form(depth + 1);
    if (!item.ok()) return item;
    items->push_back(std::move(item).value());
  }
}

Result<Value> EdnReader::read_string() {
  int start_line = in_->line();
  in_->get();  // opening quote
  std::string s;
  while (true) {
    int c = in_->get();
    if (c == TextInput::kEof) return in_->error_at(start_line, "expected '\"' to close the string, found end of input");
    if (c == '"') return Value::string(std::move(s));
    if (s.size() >= limits_.string_bytes_max)
      return in_->error_at(start_line,
                           "string longer than the limit of " + std::to_string(limits_.string_bytes_max) + " bytes");
    if (c != '\\') {
      s.push_back(static_cast<char>(c));
      continue;
    }
    int e = in_->get();
    switch (e) {
      case '"': s.push_back('"'); break;
      case '\\': s.push_back('\\'); break;
      case 'n': s.push_back('\n'); break;
      case 't': s.push_back('\t'); break;
      case 'r': s.push_back('\r'); break;
      case 'b': s.push_back('\b'); break;
      case 'f': s.push_back('\f'); break;
      case 'u': {
        uint32_t cp = 0;
        for (int i = 0; i < 4; ++i) {
          int h = in_->get();
          if (!std::isxdigit(h)) return in_->error_here("expected 4 hex digits after \\u, found " + describe(h));
          cp = cp * 16 + static_cast<uint32_t>(std::isdigit(h) ? h - '0' : (std::tolower(h) - 'a' + 10));
        }
        append_utf8(&s, cp);
        break;
      }
      default:
        return in_->error_here("expected a string escape (\\\" \\\\ \\n \\t \\r \\b \\f \\u), found " + describe(e));
    }
  }
}

Result<Value> EdnReader::read_char() {
  in_->get();  // backslash
  int c = in_->get();
  if (c == TextInput::kEof) return in_->error_here("expected a character after '\\', found end of input");
  std::string tok(1, static_cast<char>(c));
  if (std::isalpha(c)) tok += read_token();
  if (tok.size() == 1) return Value::string(tok);
  if (tok == "newline") return Value::string("\n");
  if (tok == "space") return Value::string(" ");
  if (tok == "tab") return Value::string("\t");
  if (tok == "return") return Value::string("\r");
  return in_->error_here("expected a character name (newline, space, tab, return), found \\" + tok);
}

Result<Value> EdnReader::read_number_or_symbol() {
  int line = in_->line();
  std::string tok = read_token();
  if (tok.size() > limits_.string_bytes_max) return in_->error_at(line, "symbol longer than the limit");
  bool numeric =
      std::isdigit(static_cast<unsigned char>(tok[0])) ||
      ((tok[0] == '-' || tok[0] == '+') && tok.size() > 1 && std::isdigit(static_cast<unsigned char>(tok[1])));
  if (!numeric) {
    if (tok == "nil") return Value::nil();
    if (tok == "true") return Value::boolean(true);
    if (tok == "false") return Value::boolean(false);
    return Value::symbol(std::move(tok));
  }
  std::string digits = tok;
  if (digits.back() == 'N') digits.pop_back();
  bool is_float = digits.find_first_of(".eE") != std::string::npos || digits.back() == 'M';
  if (digits.back() == 'M') digits.pop_back();
  errno = 0;
  char* end = nullptr;
  if (!is_float) {
    long long v = std::strtoll(digits.c_str(), &end, 10);
    if (end != digits.c_str() + digits.size()) return in_->error_at(line, "expected a number, found '" + tok + "'");
    if (errno == ERANGE) return in_->error_at(line, "integer '" + tok + "' does not fit in 64 bits");
    return Value::integer(v);
  }
  double d = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return in_->error_at(line, "expected a number, found '" + tok + "'");
  return Value::floating(d);
}

Result<Value> parse_edn(std::string_view text, std::string name, int first_line, std::string context) {
  auto in = TextInput::from_string(std::string(text), std::move(name), first_line, std::move(context));
  EdnReader reader(in.get());
  auto v = reader.read();
  if (!v.ok()) return v;
  int c = reader.skip_space();
  if (c != TextInput::kEof) return in->error_here("expected end of input after one value, found " + describe(c));
  return v;
}

namespace {

void append_items(std::string* out, const std::vector<Value>& items, const char* open, char close) {
  *out += open;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(' ');
    append_edn(out, items[i]);
  }
  out->push_back(close);
}

}  // namespace

void append_quoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    switch (ch) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\t': *out += "\\t"; break;
      case '\r': *out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(ch));
          *out += buf;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void append_edn(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil: *out += "nil"; return;
    case Value::Kind::kBool: *out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: *out += std::to_string(v.as_int()); return;
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d)) {
        *out += "##NaN";
        return;
      }
      if (std::isinf(d)) {
        *out += d > 0 ? "##Inf" : "##-Inf";
        return;
      }
      // The shortest text that reads back as the same double; ".0" keeps whole numbers
      // doubles when read again.
      size_t start = out->size();
      fmt::format_to(std::back_inserter(*out), "{}", d);
      if (out->find_first_of(".eE", start) == std::string::npos) *out += ".0";
      return;
    }
    case Value::Kind::kString: append_quoted(out, v.as_string()); return;
    case Value::Kind::kKeyword:
      out->push_back(':');
      *out += v.as_string();
      return;
    case Value::Kind::kSymbol: *out += v.as_string(); return;
    case Value::Kind::kVector: append_items(out, v.items(), "[", ']'); return;
    case Value::Kind::kList: append_items(out, v.items(), "(", ')'); return;
    case Value::Kind::kSet: append_items(out, v.items(), "#{", '}'); return;
    case Value::Kind::kMap: {
      out->push_back('{');
      const auto& items = v.items();
      for (size_t i = 0; i < items.size(); i += 2) {
        if (i > 0) *out += ", ";
        append_edn(out, items[i]);
        out->push_back(' ');
        append_edn(out, items[i + 1]);
      }
      out->push_back('}');
      return;
    }
    case Value::Kind::kTagged:
      out->push_back('#');
      *out += v.as_string();
      out->push_back(' ');
      append_edn(out, v.items()[0]);
      return;
  }
}

std::string to_edn(const Value& v) {
  std::string out;
  append_edn(&out, v);
  return out;
}

}  // namespace squall::history
