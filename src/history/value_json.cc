#include "history/value_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "core/json_limits.h"
#include "history/edn.h"

namespace squall::history {

namespace {

// The one nesting limit (core/json_limits.h): deeper text is kept as a string.
constexpr int kParseDepthMax = kJsonDepthMax;

Value from_json(const rapidjson::Value& j, const FromJson& how, int depth) {
  if (depth > how.depth_max) return Value::string(json_text(j));
  if (j.IsNull()) return Value::nil();
  if (j.IsBool()) return Value::boolean(j.GetBool());
  if (j.IsInt64()) return Value::integer(j.GetInt64());
  if (j.IsUint64()) return Value::symbol(std::to_string(j.GetUint64()));
  if (j.IsNumber()) return Value::floating(j.GetDouble());
  if (j.IsString()) return Value::string(std::string(j.GetString(), j.GetStringLength()));
  if (j.IsArray()) {
    std::vector<Value> items;
    items.reserve(j.Size());
    for (const auto& x : j.GetArray()) items.push_back(from_json(x, how, depth + 1));
    return Value::vector(std::move(items));
  }
  auto key = [&how](const rapidjson::Value& name) {
    std::string text(name.GetString(), name.GetStringLength());
    return how.keyword_keys ? Value::keyword(std::move(text)) : Value::string(std::move(text));
  };
  if (how.keep_order) {
    Value m = Value::array_map();
    for (const auto& member : j.GetObject()) m.set(key(member.name), from_json(member.value, how, depth + 1));
    return m;
  }
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(j.MemberCount());
  for (const auto& member : j.GetObject())
    entries.emplace_back(key(member.name), from_json(member.value, how, depth + 1));
  return Value::map(std::move(entries));
}

bool spells_integer(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

void append_json_items(std::string* out, const std::vector<Value>& items);

void append_json(std::string* out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil: *out += "null"; return;
    case Value::Kind::kBool: *out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: *out += std::to_string(v.as_int()); return;
    case Value::Kind::kDouble:
      if (std::isfinite(v.as_double())) {
        fmt::format_to(std::back_inserter(*out), "{}", v.as_double());
      } else {
        *out += "null";
      }
      return;
    case Value::Kind::kSymbol:
      if (spells_integer(v.as_string())) {
        *out += v.as_string();
        return;
      }
      [[fallthrough]];
    case Value::Kind::kString:
    case Value::Kind::kKeyword: append_quoted(out, v.as_string()); return;
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet: append_json_items(out, v.items()); return;
    case Value::Kind::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.entries()) {
        if (!first) out->push_back(',');
        first = false;
        bool named = key.kind() == Value::Kind::kString || key.kind() == Value::Kind::kKeyword;
        append_quoted(out, named ? key.as_string() : to_edn(key));
        out->push_back(':');
        append_json(out, value);
      }
      out->push_back('}');
      return;
    }
    case Value::Kind::kTagged: append_json(out, v.items()[0]); return;
  }
}

void append_json_items(std::string* out, const std::vector<Value>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    append_json(out, items[i]);
  }
  out->push_back(']');
}

}  // namespace

Value value_from_json(const rapidjson::Value& j, const FromJson& how) { return from_json(j, how, 0); }

Value parse_json_value(std::string_view text) {
  // Too deep to parse without risking the stack: kept as the text it is, like non-JSON.
  if (json_depth(text, kParseDepthMax) > kParseDepthMax) return Value::string(std::string(text));
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) return Value::string(std::string(text));
  FromJson how;
  how.keep_order = true;
  how.depth_max = kParseDepthMax;
  return value_from_json(doc, how);
}

std::string to_json(const Value& v) {
  std::string out;
  append_json(&out, v);
  return out;
}

std::string json_text(const rapidjson::Value& j) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  j.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace squall::history
