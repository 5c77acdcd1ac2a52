// Service RPC plumbing: reading a request's envelope fields and writing reply bodies.
//
// A Reply is built by a service's logic as a type plus named fields holding raw JSON
// text, and rendered once with the request's msg_id as in_reply_to. Replies never carry
// a msg_id of their own (Maelstrom services do not). Pure functions; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/error_code.h"

namespace squall::services {

struct Reply {
  std::string type;  // "read_ok", "error", ...
  // Extra body members, in output order: name and raw JSON text of the value.
  std::vector<std::pair<std::string, std::string>> fields;
};

// {"type":"error","code":code,"text":text}.
Reply error_reply(proto::ErrorCode code, std::string_view text);

// A reply of the given type with no extra members, e.g. "write_ok".
Reply ok_reply(std::string type);

// JSON string literal for `text` (quoted and escaped).
std::string json_string(std::string_view text);

// Envelope fields of a request body, or the reply to send when they are unusable.
struct Envelope {
  std::string type;
  // Raw JSON text of the request's msg_id, when it had one; echoed as in_reply_to.
  std::optional<std::string> msg_id;
};

// Reads "type" (a string, required) and "msg_id" (an integer, optional) of `body`.
// On failure returns the error reply (code 12) to send, with in_reply_to when known.
std::pair<std::optional<Envelope>, std::string> read_envelope(const rapidjson::Value& body);

// The reply body as JSON object text: type, in_reply_to (when msg_id is set), fields.
std::string render_reply(const Reply& reply, const std::optional<std::string>& msg_id);

}  // namespace squall::services
