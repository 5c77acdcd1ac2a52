// ControlCodec: the gossip-worker control API's wire format — one JSON object per line.
//
// A request names an operation and carries the client's op_id:
//   {"op_id":7,"type":"acquire","shard":3}
//   {"op_id":8,"type":"checkpoint","shard":3,"fence":2,"cursor":"c00000042"}
// The worker answers every line with one line: "ok" (with the result), "error" (a
// definite rejection: nothing was applied; "code" names it) or "indeterminate" (the
// write may or may not have been applied; send the same line again). README.md
// ("gossip-worker: the control API") lists every type and field.
//
// The same encoding serves the worker's wire trace (--trace): what its core sent and
// what it was answered, so that a harness can check the worker's conduct from outside.
// Decoding is defensive — lines come from the network — and never crashes: anything
// malformed (not JSON, too deep, too long, a missing or mistyped field, an unknown
// type) is a ControlError with a message. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "coord/ops.h"
#include "coord/records.h"
#include "coord/types.h"

namespace squall::worker_driver {

// Lines longer than this are refused unread (a bound on what a client can make us hold).
inline constexpr size_t kControlLineMax = 64 * 1024;

// Who the control API speaks for: lease tokens are built from it.
struct Identity {
  coord::TenantId tenant = 1;
  coord::RunId run = 1;
  coord::WorkerId worker = 1;
};

// A decoded control request: a coordinator request, or a read of one shard record.
struct ControlRequest {
  uint64_t op_id = 0;
  bool read = false;         // {"type":"read"}: answer with the shard's record
  coord::ShardId shard = 0;  // read: the shard to read
  coord::Request request;    // when !read
  // "now_ms": the coordinator's clock for this request. A worker started with
  // --control-clock request takes its time from here (a harness that checks the
  // answers against the coordination model then knows every op's `now`); otherwise
  // the field is refused.
  std::optional<int64_t> now_ms;
};

struct ControlError {
  std::optional<uint64_t> op_id;  // when the line got as far as naming one
  std::string message;
};

// Decodes one line (without its newline) spoken for `who`.
std::variant<ControlRequest, ControlError> decode_request(std::string_view line, const Identity& who);

// One JSON line (no newline) for a coordinator request — the inverse of decode_request
// for the kinds a worker sends (claim, acquire, renew, checkpoint, complete, park,
// split, unpark); `op_id` is the line's op_id (the request's own for op-logged kinds).
std::string encode_request(uint64_t op_id, const coord::Request& request);

// The answer line for a coordinator reply.
std::string encode_reply(uint64_t op_id, const coord::Reply& reply);
// The answer line for a read: the record, or "ok" with "found":false.
std::string encode_record(uint64_t op_id, const coord::ShardRecord* record);
// The answer line for a line that could not be decoded (a definite error "BadRequest").
std::string encode_error(const ControlError& error);

// Parses an answer line back into a reply (for harnesses and the wire trace): "ok" →
// a result with shard, fence, deadline and spawned ids; "error" → its code;
// "indeterminate" → CoordErrc::Indeterminate. nullopt when the line is not an answer.
std::optional<coord::Reply> decode_reply(std::string_view line);

// The code with this name ("StaleFence"), if any.
std::optional<coord::CoordErrc> parse_errc(std::string_view name);

}  // namespace squall::worker_driver
