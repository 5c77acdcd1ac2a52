// Escaping of untrusted text for XML (SVG) and HTML documents.
//
// Everything a node or a client op puts into a diagram (message bodies, op values, error
// text, node names) is untrusted: it may hold markup, quotes, control bytes or invalid
// UTF-8, any of which would break the document or inject into it. escape_xml() makes any
// byte string safe as element text or as a double- or single-quoted attribute value, and
// keeps the document well-formed XML: the five markup characters become entities, bytes
// XML 1.0 forbids (controls other than tab/newline/CR) and malformed UTF-8 become U+FFFD.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace squall::viz {

std::string escape_xml(std::string_view text);

// At most `max_bytes` bytes of `text`, cut on a UTF-8 character boundary, with "…"
// appended when something was cut.
// `text` as a double-quoted JSON string literal that is also safe inside an HTML <script>
// element: '<', '>' and '&' are written as \u escapes (so no "</script>" can appear),
// control bytes as \u escapes, malformed UTF-8 as U+FFFD.
std::string json_string_for_script(std::string_view text);

std::string clip_utf8(std::string_view text, size_t max_bytes);

}  // namespace squall::viz
