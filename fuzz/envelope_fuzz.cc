// libFuzzer target for the harness's one reader of node lines (proto::parse_envelope) and
// the delivery stamp (net::stamp_envelope): any line a node prints gives a message or a
// line error, never a crash. An accepted line, stamped for delivery, must parse back to
// the same src, dest, type and ids.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "net/envelope.h"
#include "proto/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squall;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  proto::EnvelopeResult parsed = proto::parse_envelope(line);
  (void)proto::parse_message(line);
  auto* message = std::get_if<proto::Message>(&parsed);
  if (message == nullptr) return 0;
  std::string wire = net::stamp_envelope(7, *message, line);
  proto::EnvelopeResult back = proto::parse_envelope(wire);
  auto* again = std::get_if<proto::Message>(&back);
  if (again == nullptr || again->src() != message->src() || again->dest() != message->dest() ||
      again->type() != message->type() || again->msg_id() != message->msg_id() ||
      again->in_reply_to() != message->in_reply_to() || again->id() != std::optional<int64_t>(7)) {
    __builtin_trap();
  }
  return 0;
}
