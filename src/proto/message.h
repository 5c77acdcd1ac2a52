// Message: one parsed Maelstrom envelope {"src","dest","body"} (plus the optional
// top-level "id" Maelstrom adds), and the formatting of outgoing envelopes.
//
// A Message owns its RapidJSON document; the accessors view into it, so a Message must
// outlive any string_view taken from it. Parsing checks the envelope only (src, dest
// strings; body object; integer msg_id / in_reply_to / id when present). A body without
// a string "type" still parses (type() is empty) so that the node can answer it with
// error 12 instead of dropping it. Not thread-safe; movable.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace squall::proto {

// Longest line a node accepts; longer input is rejected as malformed rather than
// letting one line exhaust memory.
inline constexpr size_t kMaxLineBytes = 64u << 20;
// Deepest nesting of arrays/objects accepted: JSON is parsed iteratively, but values are
// later walked recursively (echoed, copied), so a hostile "[[[[…" must stop here.
inline constexpr int kMaxNestingDepth = 256;

class Message {
 public:
  std::string_view src() const;
  std::string_view dest() const;
  const rapidjson::Value& body() const;
  // body.type, or "" when absent or not a string.
  std::string_view type() const;
  std::optional<int64_t> msg_id() const { return msg_id_; }
  std::optional<int64_t> in_reply_to() const { return in_reply_to_; }
  // Maelstrom's top-level message id, when present.
  std::optional<int64_t> id() const { return id_; }

  // Parses one line (without its newline). Errors name the offending part.
  friend Result<Message> parse_message(std::string_view line);

 private:
  rapidjson::Document doc_;
  std::optional<int64_t> msg_id_;
  std::optional<int64_t> in_reply_to_;
  std::optional<int64_t> id_;
};

Result<Message> parse_message(std::string_view line);

// Appends `{"src":…,"dest":…,"body":<body_json>}\n` to `out`. `body_json` must be a
// complete JSON object text (BodyWriter output).
void append_envelope(std::string& out, std::string_view src, std::string_view dest,
                     std::string_view body_json);

}  // namespace squall::proto
