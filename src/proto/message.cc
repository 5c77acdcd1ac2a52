#include "proto/message.h"

#include <rapidjson/error/en.h>

#include <algorithm>

#include "proto/json_util.h"

namespace squall::proto {

std::string_view Message::src() const { return view(*member(doc_, "src")); }
std::string_view Message::dest() const { return view(*member(doc_, "dest")); }
const rapidjson::Value& Message::body() const { return *member(doc_, "body"); }

std::string_view Message::type() const {
  std::optional<std::string_view> t = get_string(body(), "type");
  return t ? *t : std::string_view();
}

namespace {

// Reads an optional integer member; an error when present with another type.
Status optional_int(const rapidjson::Value& obj, std::string_view key, std::string_view where,
                    std::optional<int64_t>* out) {
  const rapidjson::Value* v = member(obj, key);
  if (v == nullptr) return {};
  if (!v->IsInt64()) return err(std::string(where) + "." + std::string(key) + " must be an integer");
  *out = v->GetInt64();
  return {};
}

// The deepest [ / { nesting in `line`, ignoring brackets inside strings; stops counting
// once past `limit`.
int nesting_depth(std::string_view line, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<Message> parse_message(std::string_view line) {
  if (line.size() > kMaxLineBytes) return err("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  if (nesting_depth(line, kMaxNestingDepth) > kMaxNestingDepth) {
    return err("JSON nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  Message m;
  m.doc_.Parse<rapidjson::kParseIterativeFlag>(line.data(), line.size());
  if (m.doc_.HasParseError()) {
    return err(std::string("not JSON: ") + rapidjson::GetParseError_En(m.doc_.GetParseError()) +
               " at byte " + std::to_string(m.doc_.GetErrorOffset()));
  }
  if (!m.doc_.IsObject()) return err("message is not a JSON object");
  const rapidjson::Value* src = member(m.doc_, "src");
  const rapidjson::Value* dest = member(m.doc_, "dest");
  const rapidjson::Value* body = member(m.doc_, "body");
  if (src == nullptr || !src->IsString()) return err("message lacks a string \"src\"");
  if (dest == nullptr || !dest->IsString()) return err("message lacks a string \"dest\"");
  if (body == nullptr || !body->IsObject()) return err("message lacks an object \"body\"");
  if (Status s = optional_int(m.doc_, "id", "message", &m.id_); !s) return Error{s.error()};
  if (Status s = optional_int(*body, "msg_id", "body", &m.msg_id_); !s) return Error{s.error()};
  if (Status s = optional_int(*body, "in_reply_to", "body", &m.in_reply_to_); !s) return Error{s.error()};
  return m;
}

void append_envelope(std::string& out, std::string_view src, std::string_view dest,
                     std::string_view body_json) {
  out += "{\"src\":";
  append_json_string(out, src);
  out += ",\"dest\":";
  append_json_string(out, dest);
  out += ",\"body\":";
  out += body_json;
  out += "}\n";
}

}  // namespace squall::proto
