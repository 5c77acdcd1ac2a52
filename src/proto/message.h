// Message: one parsed Maelstrom envelope {"src","dest","body"} (plus the optional
// top-level "id" Maelstrom adds), and the formatting of outgoing envelopes.
//
// This is the one reader of Maelstrom lines: Squall's nodes and the `squall test` router
// both parse with it (RapidJSON), once per line. parse_envelope() checks the envelope's
// shape only: a JSON object with string "src" and "dest", an object "body" and, when
// present, an integer "id". Anything RapidJSON cannot read (numbers out of range such as
// 1e400, lone UTF-16 surrogates, bad syntax) is kNotJson. parse_message() is the node's
// stricter reading: it also requires integer body.msg_id / body.in_reply_to when present.
//
// A Message owns a copy of its line and its body's RapidJSON document in one allocation:
// the line is parsed in place (strings point into the copy, never copied again) and the
// document's nodes come from a memory pool whose first chunk sits in the same block, so
// one line costs one allocation and many queued messages cost about their size. The
// envelope's fields (src, dest, id, body.type / msg_id / in_reply_to) are taken from the
// parser's events as it reads (no document is built for the envelope itself), and the
// body's text as written is kept beside the body's document.
// The accessors view into the Message, so it must outlive any string_view taken from it.
// A line holding a NUL byte is kNotJson (JSON has no raw NUL; RapidJSON would read it as
// the end of the text). A body without a string "type" still parses (type() is empty) so
// that a node can answer it with error 12 instead of dropping it. Not thread-safe; movable.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/json_limits.h"
#include "core/result.h"

namespace squall::proto {

// Longest line a node accepts; longer input is rejected as malformed rather than
// letting one line exhaust memory.
inline constexpr size_t kMaxLineBytes = 64u << 20;

// Why a line is not a message. Callers decide by this, never by an error's text.
enum class LineFault : uint8_t {
  kTooLong,      // longer than kMaxLineBytes
  kTooDeep,      // arrays / objects nested deeper than kJsonDepthMax
  kNotJson,      // not exactly one JSON value
  kBadEnvelope,  // JSON, but not the envelope's shape
};

struct LineError {
  LineFault fault = LineFault::kNotJson;
  std::string detail;  // what is wrong, e.g. "not JSON: Number too big to be stored in double at byte 40"
  // For a bad envelope that is still a JSON object: its "dest" when a string and its
  // body's "in_reply_to" when an integer, so that a broken reply can still be matched to
  // the request it answers.
  std::optional<std::string> dest;
  std::optional<int64_t> in_reply_to;
};

class Message;
using EnvelopeResult = std::variant<Message, LineError>;

class Message {
 public:
  std::string_view src() const { return src_; }
  std::string_view dest() const { return dest_; }
  const rapidjson::Value& body() const { return body_; }
  // The body's JSON text exactly as the line had it.
  std::string_view body_text() const { return body_text_; }
  // body.type, or "" when absent or not a string.
  std::string_view type() const { return type_; }
  // body.msg_id / body.in_reply_to when they are integers.
  std::optional<int64_t> msg_id() const { return msg_id_; }
  std::optional<int64_t> in_reply_to() const { return in_reply_to_; }
  // Maelstrom's top-level message id, when present.
  std::optional<int64_t> id() const { return id_; }
  // The first top-level key other than src, dest, body and id, or "" when none.
  std::string_view extra_key() const { return extra_key_; }

  friend EnvelopeResult parse_envelope(std::string_view line);

 private:
  // The block a message lives in: the pool, the pool's first chunk, the text parsed in
  // place, then the text as written.
  struct Arena;
  struct ArenaDelete {
    void operator()(Arena* a) const;
  };
  Message() = default;

  std::unique_ptr<Arena, ArenaDelete> arena_;  // declared first: everything below points into it
  rapidjson::Value body_;
  // Each the first member of its name (as member() would find it).
  std::string_view src_, dest_, type_, extra_key_, body_text_;
  std::optional<int64_t> msg_id_;
  std::optional<int64_t> in_reply_to_;
  std::optional<int64_t> id_;
};

// Parses one line (without its newline), checking the envelope's shape only.
EnvelopeResult parse_envelope(std::string_view line);

// The node's reading: parse_envelope() plus integer body.msg_id / body.in_reply_to when
// present. Errors name the offending part.
Result<Message> parse_message(std::string_view line);

// Appends `{"src":…,"dest":…,"body":<body_json>}\n` to `out`. `body_json` must be a
// complete JSON object text (BodyWriter output).
void append_envelope(std::string& out, std::string_view src, std::string_view dest, std::string_view body_json);

}  // namespace squall::proto
