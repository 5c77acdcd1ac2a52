// Envelope: the lines the simulated network hands to their destinations.
//
// Maelstrom gives every message it delivers a top-level integer "id". The harness builds
// the lines of its own clients and services with encode_envelope(); a node's line, once
// parsed (proto::parse_envelope, the one reader), gets its delivery id from
// stamp_envelope(), which keeps the node's bytes as written whenever it can: the body's
// numbers and strings and the src the node chose reach the destination unchanged.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/message.h"

namespace squall::net {

// {"id":N,"src":..,"dest":..,"body":<body>}; src and dest are escaped as JSON strings,
// `body` must be a JSON object's text.
std::string encode_envelope(int64_t id, std::string_view src, std::string_view dest, std::string_view body);

// The line `line` (which parsed as `message`) as delivered with id `id`. A line without
// an "id" of its own is copied with the id put first; one with an id is written anew
// around the body's text as written.
std::string stamp_envelope(int64_t id, const proto::Message& message, std::string_view line);

}  // namespace squall::net
