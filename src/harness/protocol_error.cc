#include "harness/protocol_error.h"

namespace squall::harness {

std::string_view protocol_error_name(ProtocolErrorKind kind) {
  switch (kind) {
    case ProtocolErrorKind::kEmptyLine: return "empty-line";
    case ProtocolErrorKind::kInvalidUtf8: return "invalid-utf8";
    case ProtocolErrorKind::kNonJson: return "non-json";
    case ProtocolErrorKind::kBadEnvelope: return "bad-envelope";
    case ProtocolErrorKind::kUnknownDestination: return "unknown-destination";
    case ProtocolErrorKind::kBadBody: return "bad-body";
    case ProtocolErrorKind::kReplyWithoutInReplyTo: return "reply-without-in_reply_to";
    case ProtocolErrorKind::kReplyToUnknownRequest: return "reply-to-unknown-request";
    case ProtocolErrorKind::kMalformedReply: return "malformed-reply";
    case ProtocolErrorKind::kLineTooLong: return "line-too-long";
    case ProtocolErrorKind::kNetworkFull: return "network-full";
    case ProtocolErrorKind::kStdinClosed: return "stdin-closed";
  }
  return "unknown";
}

}  // namespace squall::harness
