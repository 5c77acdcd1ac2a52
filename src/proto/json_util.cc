#include "proto/json_util.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace squall::proto {

const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  // Bodies have a handful of members: a linear scan beats building a lookup key.
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (view(it->name) == key) return &it->value;
  }
  return nullptr;
}

std::optional<int64_t> get_int(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = member(obj, key);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<std::string_view> get_string(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = member(obj, key);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return view(*v);
}

std::optional<bool> get_bool(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = member(obj, key);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

}  // namespace squall::proto
