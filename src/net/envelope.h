// Envelope: the minimal view of one Maelstrom message line that routing needs.
//
// The harness forwards most messages without looking inside their bodies, so this
// parser validates the whole line as JSON (a node's garbage must be caught) but only
// extracts the top-level "src", "dest", "body" (as raw text) and an optional "id". The
// body is never re-encoded: encode_envelope() copies its bytes verbatim.
//
// Thread-safety: pure functions. The string_views returned point into the input line,
// which must outlive them. Limits: nesting deeper than kMaxJsonDepth is rejected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace squall::net {

inline constexpr int kMaxJsonDepth = 128;

struct Envelope {
  std::string_view src;        // node id, unquoted (ids with escapes are rejected)
  std::string_view dest;       // node id, unquoted
  std::string_view body;       // raw JSON object text, as the node wrote it
  bool has_id = false;         // a top-level "id" was present (tolerated, then replaced)
};

// The few body fields the harness reads on messages to clients and services.
struct BodyHead {
  std::string_view type;       // empty if absent or not a string
  bool has_type = false;
  bool has_msg_id = false;
  int64_t msg_id = 0;
  bool has_in_reply_to = false;
  int64_t in_reply_to = 0;
};

// Parses one line (without its newline). Errors name what is wrong, e.g.
// "not JSON: unexpected character 'x' at offset 3" or "envelope has unknown key \"foo\"".
Result<Envelope> parse_envelope(std::string_view line);

// Reads type / msg_id / in_reply_to from a body already validated by parse_envelope.
Result<BodyHead> parse_body_head(std::string_view body);

// True if `text` is exactly one valid JSON value (surrounding whitespace allowed).
bool is_valid_json(std::string_view text);

// Builds the line delivered to a destination: {"id":N,"src":..,"dest":..,"body":<raw>}.
// src and dest are plain ids (no characters needing escapes; asserted).
std::string encode_envelope(int64_t id, std::string_view src, std::string_view dest,
                            std::string_view body);

}  // namespace squall::net
