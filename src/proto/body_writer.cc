#include "proto/body_writer.h"

#include "core/assert.h"

namespace squall::proto {

namespace {
rapidjson::SizeType size_of(std::string_view s) {
  SQ_ASSERT_LE(s.size(), size_t{0xffffffffu});
  return static_cast<rapidjson::SizeType>(s.size());
}

// The kind RapidJSON's RawValue wants: only used to validate nesting, so any value
// kind works for a complete value.
rapidjson::Type raw_kind(std::string_view json_text) {
  if (!json_text.empty() && json_text[0] == '{') return rapidjson::kObjectType;
  if (!json_text.empty() && json_text[0] == '[') return rapidjson::kArrayType;
  return rapidjson::kNumberType;
}
}  // namespace

BodyWriter::BodyWriter(std::string_view type) : writer_(buf_) {
  writer_.StartObject();
  writer_.Key("type", 4);
  writer_.String(type.data(), size_of(type));
}

void BodyWriter::key(std::string_view key) { writer_.Key(key.data(), size_of(key)); }

void BodyWriter::raw(std::string_view json_text) {
  SQ_ASSERT(!json_text.empty());
  writer_.RawValue(json_text.data(), json_text.size(), raw_kind(json_text));
}

BodyWriter& BodyWriter::put(std::string_view k, int64_t value) {
  key(k);
  writer_.Int64(value);
  return *this;
}

BodyWriter& BodyWriter::put(std::string_view k, std::string_view value) {
  key(k);
  writer_.String(value.data(), size_of(value));
  return *this;
}

BodyWriter& BodyWriter::put_bool(std::string_view k, bool value) {
  key(k);
  writer_.Bool(value);
  return *this;
}

BodyWriter& BodyWriter::put_value(std::string_view k, const rapidjson::Value& value) {
  key(k);
  value.Accept(writer_);
  return *this;
}

BodyWriter& BodyWriter::put_raw(std::string_view k, std::string_view json_text) {
  key(k);
  raw(json_text);
  return *this;
}

std::string BodyWriter::finish(std::optional<int64_t> msg_id, std::optional<int64_t> in_reply_to) {
  SQ_ASSERT_MSG(!finished_, "BodyWriter finished twice");
  finished_ = true;
  if (msg_id) put("msg_id", *msg_id);
  if (in_reply_to) put("in_reply_to", *in_reply_to);
  writer_.EndObject();
  SQ_ASSERT_MSG(writer_.IsComplete(), "unbalanced body: " << buf_.GetString());
  return std::string(buf_.GetString(), buf_.GetSize());
}

BodyWriter& error_body(BodyWriter& w, int code, std::string_view text) {
  w.put("code", int64_t{code});
  w.put("text", text);
  return w;
}

}  // namespace squall::proto
