#include "history/reader.h"
#include "history/value_json.h"

#include <cctype>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

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

// A process id from EDN: integers are clients; anything else (:nemesis) is skipped.
std::optional<int64_t> client_process(const Value& v) {
  if (v.is_int()) return v.as_int();
  return std::nullopt;
}

Format detect(TextInput& in) {
  std::string_view head = in.lookahead(4096);
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  std::string_view rest = head.substr(i);
  if (rest.empty()) return Format::kEdn;
  if (rest[0] == '[' || rest[0] == '(' || rest[0] == ';' || rest[0] == '#') return Format::kEdn;
  if (rest[0] == '{') {
    size_t j = 1;
    while (j < rest.size() && std::isspace(static_cast<unsigned char>(rest[j]))) ++j;
    return j < rest.size() && rest[j] == '"' ? Format::kJsonLines : Format::kEdn;
  }
  return Format::kJepsenLog;
}

Status append_at(History* h, TextInput& in, int line, Op op) {
  op.line = line;
  auto s = h->append(std::move(op));
  if (!s.ok()) return in.error_at(line, s.error());
  return {};
}

Result<History> read_edn(TextInput& in) {
  EdnReader reader(&in);
  History h;
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
    auto form = reader.read();
    if (!form.ok()) return Error{form.error()};
    if (!form->is_map()) return in.error_at(line, "expected an op map {:type ... :f ...}, found " + to_edn(*form).substr(0, 60));
    auto op = op_from_edn(*form);
    if (!op.ok()) return in.error_at(line, op.error());
    if (!op->has_value()) continue;
    if (auto s = append_at(&h, in, line, std::move(**op)); !s.ok()) return Error{s.error()};
  }
  if (in.io_failed()) return err(in.name() + ": read error");
  return h;
}

// One console line: `... jepsen.util - <process> <type> <f> <value...>`.
Status read_log_line(History* h, TextInput& in, int line, std::string_view text) {
  size_t at = text.find("jepsen.util - ");
  if (at == std::string_view::npos) return {};  // some other log line
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
  if (!std::isdigit(static_cast<unsigned char>(process[0]))) return {};  // :nemesis and friends
  char* end = nullptr;
  std::string pstr(process);
  long long p = std::strtoll(pstr.c_str(), &end, 10);
  if (*end != '\0') return in.error_at(line, "expected an integer process, found '" + pstr + "'");
  auto t = op_type_from(type);
  if (!t) return in.error_at(line, "expected :invoke, :ok, :fail or :info, found '" + std::string(type) + "'");
  if (f[0] != ':') return in.error_at(line, "expected a keyword :f, found '" + std::string(f) + "'");
  Op op;
  op.type = *t;
  op.process = p;
  op.f = std::string(f.substr(1));
  auto v = parse_edn(rest, in.name());
  if (!v.ok()) {
    // Re-anchor the value's error at this line.
    std::string msg = v.error();
    size_t colon = msg.find(": ", in.name().size() + 1);
    return in.error_at(line, "bad value: " + (colon == std::string::npos ? msg : msg.substr(colon + 2)));
  }
  op.value = std::move(v).value();
  return append_at(h, in, line, std::move(op));
}

Result<History> read_lines(TextInput& in, const ReadOptions& options, bool json) {
  History h;
  std::string line_text;
  bool truncated = false;
  while (true) {
    int line = in.line();
    if (!in.read_line(&line_text, options.line_bytes_max, &truncated)) break;
    if (truncated) return in.error_at(line, "line longer than the limit of " + std::to_string(options.line_bytes_max) + " bytes");
    size_t b = line_text.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    Status s;
    if (json) {
      rapidjson::Document doc;
      doc.Parse(line_text.c_str(), line_text.size());
      if (doc.HasParseError())
        return in.error_at(line, std::string("expected a JSON object: ") + rapidjson::GetParseError_En(doc.GetParseError()) +
                                     " at column " + std::to_string(doc.GetErrorOffset() + 1));
      if (!doc.IsObject()) return in.error_at(line, "expected a JSON object per line");
      auto op = op_from_json(doc);
      if (!op.ok()) return in.error_at(line, op.error());
      if (!op->has_value()) continue;
      s = append_at(&h, in, line, std::move(**op));
    } else {
      s = read_log_line(&h, in, line, line_text);
    }
    if (!s.ok()) return Error{s.error()};
  }
  if (in.io_failed()) return err(in.name() + ": read error");
  return h;
}

}  // namespace

Result<std::optional<Op>> op_from_edn(const Value& map) {
  const Value* type = map.get("type");
  if (type == nullptr) return err("expected a :type in the op map");
  auto t = op_type_from(type->name());
  if (!t) return err("expected :type to be :invoke, :ok, :fail or :info, found " + to_edn(*type));
  const Value* process = map.get("process");
  if (process == nullptr) return err("expected a :process in the op map");
  auto p = client_process(*process);
  if (!p) return std::optional<Op>();
  const Value* f = map.get("f");
  if (f == nullptr || f->name().empty()) return err("expected an :f keyword in the op map");
  Op op;
  op.type = *t;
  op.process = *p;
  op.f = std::string(f->name());
  if (const Value* v = map.get("value")) op.value = *v;
  if (const Value* k = map.get("key")) op.key = *k;
  if (const Value* time = map.get("time"); time != nullptr && time->is_int()) op.time_ns = time->as_int();
  return std::optional<Op>(std::move(op));
}

namespace {

// JSON-lines values nest at most this deep; deeper ones are kept as their JSON text.
Value op_value(const rapidjson::Value& j) {
  FromJson how;
  how.depth_max = 100;
  return value_from_json(j, how);
}

}  // namespace

Result<std::optional<Op>> op_from_json(const rapidjson::Value& obj) {
  auto type = obj.FindMember("type");
  if (type == obj.MemberEnd() || !type->value.IsString()) return err("expected a string \"type\" in the op object");
  auto t = op_type_from(type->value.GetString());
  if (!t) return err(std::string("expected \"type\" to be invoke, ok, fail or info, found \"") + type->value.GetString() + "\"");
  auto process = obj.FindMember("process");
  if (process == obj.MemberEnd()) return err("expected a \"process\" in the op object");
  if (!process->value.IsInt64()) return std::optional<Op>();  // "nemesis"
  auto f = obj.FindMember("f");
  if (f == obj.MemberEnd() || !f->value.IsString() || f->value.GetStringLength() == 0)
    return err("expected a string \"f\" in the op object");
  Op op;
  op.type = *t;
  op.process = process->value.GetInt64();
  op.f = f->value.GetString();
  if (!op.f.empty() && op.f[0] == ':') op.f.erase(0, 1);
  if (auto v = obj.FindMember("value"); v != obj.MemberEnd()) op.value = op_value(v->value);
  if (auto k = obj.FindMember("key"); k != obj.MemberEnd()) op.key = op_value(k->value);
  if (auto tm = obj.FindMember("time"); tm != obj.MemberEnd() && tm->value.IsInt64()) op.time_ns = tm->value.GetInt64();
  return std::optional<Op>(std::move(op));
}

Result<History> read_history(TextInput& in, const ReadOptions& options) {
  Format f = options.format == Format::kAuto ? detect(in) : options.format;
  switch (f) {
    case Format::kEdn: return read_edn(in);
    case Format::kJepsenLog: return read_lines(in, options, false);
    case Format::kJsonLines: return read_lines(in, options, true);
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
