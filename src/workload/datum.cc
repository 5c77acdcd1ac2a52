#include "workload/datum.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <cmath>

#include "core/assert.h"

namespace squall::workload {

Verdict merge(Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kValid: return "valid";
    case Verdict::kUnknown: return "unknown";
    case Verdict::kInvalid: return "invalid";
  }
  SQ_UNREACHABLE("bad Verdict");
}

Datum Datum::keyword(std::string name) {
  Datum d;
  d.kind_ = Kind::kKeyword;
  d.text_ = std::move(name);
  return d;
}

Datum Datum::json(std::string text) {
  Datum d;
  d.kind_ = Kind::kJson;
  d.text_ = std::move(text);
  return d;
}

Datum Datum::vector() {
  Datum d;
  d.kind_ = Kind::kVector;
  return d;
}

Datum Datum::map() {
  Datum d;
  d.kind_ = Kind::kMap;
  return d;
}

Datum Datum::verdict(Verdict v) {
  switch (v) {
    case Verdict::kValid: return Datum(true);
    case Verdict::kInvalid: return Datum(false);
    case Verdict::kUnknown: return keyword("unknown");
  }
  SQ_UNREACHABLE("bad Verdict");
}

static bool same_key(const Datum& a, const Datum& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Datum::Kind::kInt: return a.as_int() == b.as_int();
    case Datum::Kind::kDouble: return a.as_double() == b.as_double();
    default: return a.text() == b.text();
  }
}

Datum& Datum::set(const Datum& key, Datum value) {
  SQ_ASSERT(kind_ == Kind::kMap);
  for (auto& [k, v] : map_) {
    if (same_key(k, key)) {
      v = std::move(value);
      return v;
    }
  }
  map_.emplace_back(key, std::move(value));
  return map_.back().second;
}

const Datum* Datum::get(std::string_view keyword_name) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const auto& [k, v] : map_) {
    if (k.kind_ == Kind::kKeyword && k.text_ == keyword_name) return &v;
  }
  return nullptr;
}

Datum& Datum::push(Datum value) {
  SQ_ASSERT(kind_ == Kind::kVector);
  items_.push_back(std::move(value));
  return items_.back();
}

void append_quoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          *out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

static void append_double(std::string* out, double v) {
  if (!std::isfinite(v)) {
    *out += "nil";
    return;
  }
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  *out += s;
}

static void json_value_to_edn(const rapidjson::Value& v, std::string* out) {
  switch (v.GetType()) {
    case rapidjson::kNullType: *out += "nil"; break;
    case rapidjson::kFalseType: *out += "false"; break;
    case rapidjson::kTrueType: *out += "true"; break;
    case rapidjson::kStringType: append_quoted(out, std::string_view(v.GetString(), v.GetStringLength())); break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        *out += std::to_string(v.GetInt64());
      } else if (v.IsUint64()) {
        *out += std::to_string(v.GetUint64());
      } else {
        append_double(out, v.GetDouble());
      }
      break;
    case rapidjson::kArrayType: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first) out->push_back(' ');
        first = false;
        json_value_to_edn(e, out);
      }
      out->push_back(']');
      break;
    }
    case rapidjson::kObjectType: {
      out->push_back('{');
      bool first = true;
      for (const auto& m : v.GetObject()) {
        if (!first) *out += ", ";
        first = false;
        append_quoted(out, std::string_view(m.name.GetString(), m.name.GetStringLength()));
        out->push_back(' ');
        json_value_to_edn(m.value, out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string json_to_edn(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  std::string out;
  if (doc.HasParseError()) {
    append_quoted(&out, json);
  } else {
    json_value_to_edn(doc, &out);
  }
  return out;
}

void Datum::edn(std::string* out) const {
  switch (kind_) {
    case Kind::kNil: *out += "nil"; break;
    case Kind::kBool: *out += int_ ? "true" : "false"; break;
    case Kind::kInt: *out += std::to_string(int_); break;
    case Kind::kDouble: append_double(out, double_); break;
    case Kind::kString: append_quoted(out, text_); break;
    case Kind::kKeyword: out->push_back(':'); *out += text_; break;
    case Kind::kJson: *out += json_to_edn(text_); break;
    case Kind::kVector: {
      out->push_back('[');
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out->push_back(' ');
        items_[i].edn(out);
      }
      out->push_back(']');
      break;
    }
    case Kind::kMap: {
      out->push_back('{');
      for (size_t i = 0; i < map_.size(); ++i) {
        if (i) *out += ", ";
        map_[i].first.edn(out);
        out->push_back(' ');
        map_[i].second.edn(out);
      }
      out->push_back('}');
      break;
    }
  }
}

void Datum::json_out(std::string* out) const {
  switch (kind_) {
    case Kind::kNil: *out += "null"; break;
    case Kind::kBool: *out += int_ ? "true" : "false"; break;
    case Kind::kInt: *out += std::to_string(int_); break;
    case Kind::kDouble:
      if (std::isfinite(double_)) {
        *out += fmt::format("{}", double_);
      } else {
        *out += "null";
      }
      break;
    case Kind::kString:
    case Kind::kKeyword: append_quoted(out, text_); break;
    case Kind::kJson: *out += text_; break;
    case Kind::kVector: {
      out->push_back('[');
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out->push_back(',');
        items_[i].json_out(out);
      }
      out->push_back(']');
      break;
    }
    case Kind::kMap: {
      out->push_back('{');
      for (size_t i = 0; i < map_.size(); ++i) {
        if (i) out->push_back(',');
        const Datum& k = map_[i].first;
        if (k.kind_ == Kind::kString || k.kind_ == Kind::kKeyword) {
          append_quoted(out, k.text_);
        } else {
          std::string inner;
          k.edn(&inner);
          append_quoted(out, inner);
        }
        out->push_back(':');
        map_[i].second.json_out(out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string Datum::to_edn() const {
  std::string out;
  edn(&out);
  return out;
}

std::string Datum::to_json() const {
  std::string out;
  json_out(&out);
  return out;
}

std::string Datum::to_edn_pretty() const {
  if (kind_ != Kind::kMap) return to_edn();
  std::string out = "{";
  for (size_t i = 0; i < map_.size(); ++i) {
    if (i) out += ",\n ";
    map_[i].first.edn(&out);
    out.push_back(' ');
    map_[i].second.edn(&out);
  }
  out += "}\n";
  return out;
}

Verdict verdict_of(const Datum& result) {
  const Datum* v = result.get("valid?");
  if (!v) return Verdict::kValid;
  if (v->kind() == Datum::Kind::kBool) return v->as_bool() ? Verdict::kValid : Verdict::kInvalid;
  return Verdict::kUnknown;
}

}  // namespace squall::workload
