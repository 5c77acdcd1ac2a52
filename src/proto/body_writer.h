// BodyWriter: builds the JSON text of one message body, "type" first.
//
// Handlers add their schema's fields; the node runtime adds msg_id / in_reply_to when it
// sends the body (finish()), so a handler can never forget or duplicate them. Writing
// straight into a string buffer avoids building a DOM for every outgoing message.
// Not thread-safe. Use each writer for one body; finish() consumes it.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace squall::proto {

class BodyWriter {
 public:
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

  explicit BodyWriter(std::string_view type);
  BodyWriter(const BodyWriter&) = delete;
  BodyWriter& operator=(const BodyWriter&) = delete;

  // Direct access for nested values: w.json().Key("msgs"); w.json().StartObject(); …
  Writer& json() { return writer_; }

  BodyWriter& put(std::string_view key, int64_t value);
  BodyWriter& put(std::string_view key, std::string_view value);
  BodyWriter& put(std::string_view key, const char* value) { return put(key, std::string_view(value)); }
  BodyWriter& put_bool(std::string_view key, bool value);
  BodyWriter& put_value(std::string_view key, const rapidjson::Value& value);
  // `json_text` must be one complete JSON value.
  BodyWriter& put_raw(std::string_view key, std::string_view json_text);
  void key(std::string_view key);
  void raw(std::string_view json_text);

  // Closes the object, adding msg_id / in_reply_to when given, and returns the text.
  std::string finish(std::optional<int64_t> msg_id, std::optional<int64_t> in_reply_to);

 private:
  rapidjson::StringBuffer buf_;
  Writer writer_;
  bool finished_ = false;
};

// The body of an error reply: {"type":"error","code":…,"text":…} (in_reply_to added by
// the sender).
BodyWriter& error_body(BodyWriter& w, int code, std::string_view text);

}  // namespace squall::proto
