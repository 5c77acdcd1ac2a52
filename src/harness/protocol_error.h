// ProtocolError: node output that broke Maelstrom's protocol, as the report lists it.
//
// Every violation is counted by kind and the first ones are kept as examples. By default
// they are warnings, as in Maelstrom: a reply that breaks its schema or its envelope
// makes that one operation indeterminate (:info) and the checkers decide the verdict;
// `squall test --strict` makes any violation fail the run. Callers classify by kind,
// never by an error's text. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace squall::harness {

enum class ProtocolErrorKind : uint8_t {
  kEmptyLine,              // a blank line on stdout
  kInvalidUtf8,            // malformed UTF-8 (repaired to U+FFFD, then read on)
  kNonJson,                // not one JSON value, or nested deeper than kJsonDepthMax
  kBadEnvelope,            // JSON, but not {"src": str, "dest": str, "body": {..}, "id"?: int}
  kUnknownDestination,     // dest names no node, service or client
  kBadBody,                // a message to a service without a string "type"
  kReplyWithoutInReplyTo,  // a message to a client that is no reply
  kReplyToUnknownRequest,  // in_reply_to matches nothing the client sent
  kMalformedReply,         // a reply that breaks its closed schema
  kLineTooLong,            // a stdout line past the harness's line limit
  kNetworkFull,            // the simulated network refused a message
  kStdinClosed,            // the node stopped reading its stdin
};

// The kind's name in results and the report: "non-json", "bad-envelope", ...
std::string_view protocol_error_name(ProtocolErrorKind kind);

struct ProtocolError {
  int64_t t_ns = 0;
  std::string node;
  ProtocolErrorKind kind = ProtocolErrorKind::kNonJson;
  std::string detail;
  std::string line;  // the offending line, clipped
};

}  // namespace squall::harness
