#include "history/reader.h"
#include "history/value_json.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "core/json_limits.h"
#include "history/edn.h"

namespace squall::history {

Result<std::optional<Op>> op_from_json(const rapidjson::Value& obj);

std::string_view to_string(Format f) {
  switch (f) {
    case Format::kAuto: return "auto";
    case Format::kEdn: return "edn";
    case Format::kJepsenLog: return "jepsen-log";
    case Format::kJsonLines: return "jsonl";
  }
  SQ_UNREACHABLE("format");
}

std::optional<Format> format_from(std::string_view name) {
  for (Format f : {Format::kAuto, Format::kEdn, Format::kJepsenLog, Format::kJsonLines})
    if (name == to_string(f)) return f;
  if (name == "json") return Format::kJsonLines;
  if (name == "log") return Format::kJepsenLog;
  return std::nullopt;
}

namespace {

constexpr const char* kExpected =
    "expected EDN op maps ({:process 0 :type :invoke :f :read ...}), a Jepsen console log (lines "
    "'INFO jepsen.util - <process> <type> <f> <value>') or JSON lines ({\"process\": 0, \"type\": \"invoke\", ...})";

// What auto-detection found at the start of the input.
struct Detected {
  Format format = Format::kEdn;
  bool blank = false;            // only whitespace (or nothing) in the first bytes
  std::optional<size_t> nul_at;  // offset of a NUL byte: binary data, no text format has one
};

Detected detect(TextInput& in) {
  std::string_view head = in.lookahead(4096);
  Detected d;
  if (const void* nul = std::memchr(head.data(), '\0', head.size()))
    d.nul_at = static_cast<size_t>(static_cast<const char*>(nul) - head.data());
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  std::string_view rest = head.substr(i);
  d.blank = rest.empty();
  if (rest.empty()) return d;
  if (rest[0] == '[' || rest[0] == '(' || rest[0] == ';' || rest[0] == '#') return d;
  if (rest[0] == '{') {
    size_t j = 1;
    while (j < rest.size() && std::isspace(static_cast<unsigned char>(rest[j]))) ++j;
    if (j < rest.size() && rest[j] == '"') d.format = Format::kJsonLines;
    return d;
  }
  d.format = Format::kJepsenLog;
  return d;
}

// Polls the read budgets every kPollEvery units of work (lines or forms), so a budget
// costs one counter increment per unit.
class Progress {
 public:
  explicit Progress(const ReadOptions& o) : o_(o) {
    if (o_.clock == nullptr) o_.clock = &steady_;
    // Saturating: a time-out too large to add means none.
    if (o_.timeout_ms != 0) {
      int64_t now = o_.clock->now_ns();
      if (o_.timeout_ms < static_cast<uint64_t>(INT64_MAX - now) / 1'000'000)
        deadline_ns_ = now + static_cast<int64_t>(o_.timeout_ms) * 1'000'000;
    }
  }
  Progress(const Progress&) = delete;  // o_.clock may point at steady_
  Progress& operator=(const Progress&) = delete;
  // True when a budget is exceeded; *why then says which and how far reading got.
  bool exhausted(const History& h, size_t line_bytes, int line, std::string* why) {
    if ((++units_ % kPollEvery) != 0) return false;
    if (o_.memory_limit_bytes != 0 && h.memory_bytes() + line_bytes > o_.memory_limit_bytes) {
      uint64_t limit = o_.memory_limit_bytes;
      std::string amount = limit >= (1u << 20) ? std::to_string(limit >> 20) + " MB" : std::to_string(limit) + " bytes";
      *why = "memory budget of " + amount + " exceeded while reading, at line " + std::to_string(line) + " (" +
             std::to_string(h.size()) + " ops read)";
      return true;
    }
    if (deadline_ns_ != INT64_MAX && o_.clock->now_ns() > deadline_ns_) {
      *why = "time budget of " + std::to_string(o_.timeout_ms) + " ms exceeded while reading, at line " +
             std::to_string(line) + " (" + std::to_string(h.size()) + " ops read)";
      return true;
    }
    return false;
  }

 private:
  static constexpr uint64_t kPollEvery = 256;
  ReadOptions o_;
  SteadyClock steady_;
  int64_t deadline_ns_ = INT64_MAX;
  uint64_t units_ = 0;
};

Status append_at(History* h, TextInput& in, int line, Op op) {
  op.line = line;
  auto s = h->append(std::move(op));
  if (!s.ok()) return in.error_at(line, s.error());
  return {};
}

// Reserves room for the ops a file of `bytes` bytes can hold at most (no op takes fewer
// than kOpBytesMin bytes of text), within the memory budget. Pages never written are not
// resident, so an over-estimate costs address space only; growing instead would copy
// every op and briefly hold twice the history.
constexpr size_t kOpBytesMin = 32;

void reserve_for(History* h, const TextInput& in, const ReadOptions& options) {
  size_t ops = std::min<size_t>(in.size_hint() / kOpBytesMin, History::kOpsMax);
  uint64_t budget = options.memory_limit_bytes != 0 ? options.memory_limit_bytes : 4ULL << 30;
  ops = std::min<size_t>(ops, budget / sizeof(Op));
  if (ops > 0) h->reserve(ops);
}

Result<History> read_edn(TextInput& in, const ReadOptions& options) {
  EdnReader reader(&in);
  Progress progress(options);
  History h;
  reserve_for(&h, in, options);
  bool in_vector = false;
  int c = reader.skip_space();
  if (c == '[' || c == '(') {
    in.get();
    in_vector = true;
  }
  while (true) {
    c = reader.skip_space();
    if (c == TextInput::kEof) {
      if (in_vector) return in.error_here("expected ']' to close the history vector, found end of input");
      break;
    }
    if (in_vector && (c == ']' || c == ')')) {
      in.get();
      if (int d = reader.skip_space(); d != TextInput::kEof)
        return in.error_here("expected end of input after the history vector");
      break;
    }
    int line = in.line();
    if (std::string why; progress.exhausted(h, 0, line, &why)) {
      h.mark_incomplete(why);
      return h;
    }
    auto form = reader.read();
    if (!form.ok()) return Error{form.error()};
    if (!form->is_map())
      return in.error_at(line, "expected an op map {:type ... :f ...}, found " + to_edn(*form).substr(0, 60));
    auto op = op_from_edn(*form);
    if (!op.ok()) return in.error_at(line, op.error());
    if (!op->has_value()) {
      h.count_ignored_op();
      continue;
    }
    if (auto s = append_at(&h, in, line, std::move(**op)); !s.ok()) return Error{s.error()};
  }
  if (in.io_failed()) return err(in.name() + ": read error");
  return h;
}

bool is_op_type(std::string_view t) { return t == ":invoke" || t == ":ok" || t == ":fail" || t == ":info"; }

std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
    size_t b = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') ++i;
    if (i > b) out.push_back(text.substr(b, i - b));
  }
  return out;
}

// True for a line shaped like a logged op, `<process> :invoke :read ...`, wherever it
// appears: such a line outside the op logger is a typo that would hide an op. An EDN map
// printed in a log (`:type :ok :f :read`) is not one.
bool looks_like_op(std::string_view text) {
  auto f = fields_of(text);
  for (size_t i = 1; i + 1 < f.size(); ++i)
    if (is_op_type(f[i]) && f[i + 1].size() > 1 && f[i + 1][0] == ':' && f[i - 1] != ":type") return true;
  return false;
}

// One console line: `... jepsen.util - <process> <type> <f> <value...>`. Sets *op_line
// when the line comes from the op logger.
Status read_log_line(History* h, TextInput& in, int line, std::string_view text, bool* op_line) {
  size_t at = text.find("jepsen.util - ");
  *op_line = at != std::string_view::npos;
  if (!*op_line) {
    if (looks_like_op(text))
      return in.error_at(
          line,
          "expected an op line 'INFO jepsen.util - <process> <type> <f> <value>', found an op-shaped line "
          "from another logger (a typo?)");
    return {};  // some other log line
  }
  std::string_view rest = text.substr(at + 14);
  auto next_field = [&rest]() {
    size_t b = 0;
    while (b < rest.size() && (rest[b] == ' ' || rest[b] == '\t')) ++b;
    size_t e = b;
    while (e < rest.size() && rest[e] != ' ' && rest[e] != '\t') ++e;
    std::string_view f = rest.substr(b, e - b);
    rest = rest.substr(e);
    return f;
  };
  std::string_view process = next_field();
  std::string_view type = next_field();
  std::string_view f = next_field();
  if (process.empty() || type.empty() || f.empty())
    return in.error_at(line, "expected '<process> <type> <f> <value>' after 'jepsen.util - '");
  auto t = op_type_from(type);
  if (!t) return in.error_at(line, "expected :invoke, :ok, :fail or :info, found '" + std::string(type) + "'");
  if (f.size() < 2 || f[0] != ':') return in.error_at(line, "expected a keyword :f, found '" + std::string(f) + "'");
  auto p = parse_edn(process, in.name());
  if (!p.ok())
    return in.error_at(
        line, "expected an integer process or a keyword such as :nemesis, found '" + std::string(process) + "'");
  auto client = client_process(*p);
  if (!client.ok()) return in.error_at(line, client.error());
  if (!client->has_value()) {
    h->count_ignored_op();
    return {};
  }
  Op op;
  op.type = *t;
  op.process = **client;
  op.f = std::string(f.substr(1));
  auto v = parse_edn(rest, in.name(), line, "bad value: ");
  if (!v.ok()) return Error{v.error()};
  op.value = std::move(v).value();
  return append_at(h, in, line, std::move(op));
}

Status read_json_line(History* h, TextInput& in, int line, const std::string& text) {
  // Measured before parsing: the parser and the value conversion recurse per level.
  if (json_depth(text) > kJsonDepthMax)
    return in.error_at(line, "expected a JSON object nesting at most " + std::to_string(kJsonDepthMax) + " levels");
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError())
    return in.error_at(line, std::string("expected a JSON object: ") +
                                 rapidjson::GetParseError_En(doc.GetParseError()) + " at column " +
                                 std::to_string(doc.GetErrorOffset() + 1));
  if (!doc.IsObject()) return in.error_at(line, "expected a JSON object per line");
  auto op = op_from_json(doc);
  if (!op.ok()) return in.error_at(line, op.error());
  if (!op->has_value()) {
    h->count_ignored_op();
    return {};
  }
  return append_at(h, in, line, std::move(**op));
}

// `detected`: the format was guessed, so a text without a single op line is not taken
// for an empty history (it is more likely not a history at all).
Result<History> read_lines(TextInput& in, const ReadOptions& options, bool json, bool detected) {
  History h;
  reserve_for(&h, in, options);
  Progress progress(options);
  std::string line_text;
  bool truncated = false;
  size_t op_lines = 0, lines = 0;
  while (true) {
    int line = in.line();
    if (std::string why; progress.exhausted(h, line_text.capacity(), line, &why)) {
      h.mark_incomplete(why);
      return h;
    }
    if (!in.read_line(&line_text, options.line_bytes_max, &truncated)) break;
    if (truncated)
      return in.error_at(line, "line longer than the limit of " + std::to_string(options.line_bytes_max) + " bytes");
    size_t b = line_text.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    ++lines;
    if (json) {
      auto s = read_json_line(&h, in, line, line_text);
      if (!s.ok()) return Error{s.error()};
    } else {
      bool op_line = false;
      auto s = read_log_line(&h, in, line, line_text, &op_line);
      if (!s.ok()) return Error{s.error()};
      op_lines += op_line ? 1 : 0;
    }
  }
  if (in.io_failed()) return err(in.name() + ": read error");
  if (!json && detected && lines > 0 && op_lines == 0)
    return err(in.name() + ": not a history: " + kExpected + "; found " + std::to_string(lines) +
               " lines of text without one op line (use --format jepsen-log to read it as a log without ops)");
  return h;
}

}  // namespace

Result<std::optional<int64_t>> client_process(const Value& process) {
  if (process.is_int()) return std::optional<int64_t>(process.as_int());
  // A name: a keyword, or a string spelling one (JSON has no keywords). A string of
  // digits is refused: it is a client id that lost its type, and guessing may merge two.
  std::string_view name =
      process.is_keyword() || process.is_string() ? std::string_view(process.as_string()) : std::string_view();
  if (process.is_string() && !name.empty() && name[0] == ':') name.remove_prefix(1);
  if (!name.empty() && std::isalpha(static_cast<unsigned char>(name[0]))) return std::optional<int64_t>();
  std::string shown = to_edn(process);
  if (shown.size() > 60) shown = shown.substr(0, 60) + "...";
  return err("expected :process to be an integer (a client) or a keyword such as :nemesis, found " + shown);
}

Result<std::optional<Op>> op_from_edn(const Value& map) {
  const Value* type = map.get("type");
  if (type == nullptr) return err("expected a :type in the op map");
  auto t = op_type_from(type->name());
  if (!t) return err("expected :type to be :invoke, :ok, :fail or :info, found " + to_edn(*type));
  const Value* process = map.get("process");
  if (process == nullptr) return err("expected a :process in the op map");
  auto p = client_process(*process);
  if (!p.ok()) return Error{p.error()};
  if (!p->has_value()) return std::optional<Op>();
  const Value* f = map.get("f");
  if (f == nullptr || f->name().empty()) return err("expected an :f keyword in the op map");
  Op op;
  op.type = *t;
  op.process = **p;
  op.f = std::string(f->name());
  if (const Value* v = map.get("value")) op.value = *v;
  if (const Value* k = map.get("key")) op.key = *k;
  if (const Value* time = map.get("time"); time != nullptr && time->is_int()) op.time_ns = time->as_int();
  return std::optional<Op>(std::move(op));
}

namespace {

// Lines are refused above kJsonDepthMax before parsing, so no value is cut short here.
Value op_value(const rapidjson::Value& j) {
  FromJson how;
  how.depth_max = kJsonDepthMax;
  return value_from_json(j, how);
}

}  // namespace

Result<std::optional<Op>> op_from_json(const rapidjson::Value& obj) {
  auto type = obj.FindMember("type");
  if (type == obj.MemberEnd() || !type->value.IsString()) return err("expected a string \"type\" in the op object");
  // Strings are taken with their length: JSON text may hold "\u0000".
  std::string_view type_name(type->value.GetString(), type->value.GetStringLength());
  auto t = op_type_from(type_name);
  if (!t) return err("expected \"type\" to be invoke, ok, fail or info, found \"" + std::string(type_name) + "\"");
  auto process = obj.FindMember("process");
  if (process == obj.MemberEnd()) return err("expected a \"process\" in the op object");
  auto client = client_process(op_value(process->value));
  if (!client.ok()) return Error{client.error()};
  if (!client->has_value()) return std::optional<Op>();  // "nemesis"
  auto f = obj.FindMember("f");
  if (f == obj.MemberEnd() || !f->value.IsString() || f->value.GetStringLength() == 0)
    return err("expected a string \"f\" in the op object");
  Op op;
  op.type = *t;
  op.process = **client;
  op.f.assign(f->value.GetString(), f->value.GetStringLength());
  if (op.f[0] == ':') op.f.erase(0, 1);
  if (op.f.empty()) return err("expected a string \"f\" in the op object, found \":\"");
  if (auto v = obj.FindMember("value"); v != obj.MemberEnd()) op.value = op_value(v->value);
  if (auto k = obj.FindMember("key"); k != obj.MemberEnd()) op.key = op_value(k->value);
  if (auto tm = obj.FindMember("time"); tm != obj.MemberEnd() && tm->value.IsInt64()) op.time_ns = tm->value.GetInt64();
  return std::optional<Op>(std::move(op));
}

Result<History> read_history(TextInput& in, const ReadOptions& options) {
  bool detected = options.format == Format::kAuto;
  Format f = options.format;
  if (detected) {
    Detected d = detect(in);
    if (d.nul_at)
      return err(in.name() + ": not a history: binary data (a NUL byte at offset " + std::to_string(*d.nul_at) + "); " +
                 kExpected);
    f = d.format;
  }
  switch (f) {
    case Format::kEdn: return read_edn(in, options);
    case Format::kJepsenLog: return read_lines(in, options, false, detected);
    case Format::kJsonLines: return read_lines(in, options, true, detected);
    case Format::kAuto: break;
  }
  SQ_UNREACHABLE("format");
}

Result<History> read_history_file(const std::string& path, const ReadOptions& options) {
  auto in = TextInput::open_file(path);
  if (!in.ok()) return Error{in.error()};
  return read_history(**in, options);
}

Result<History> parse_history(std::string_view text, const ReadOptions& options, std::string name) {
  auto in = TextInput::from_string(std::string(text), std::move(name));
  return read_history(*in, options);
}

}  // namespace squall::history
