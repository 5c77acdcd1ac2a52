// Untrusted text: what nodes write (stdout lines, stderr, values), made safe to keep and
// to show.
//
// A node's bytes may hold malformed UTF-8 and terminal control sequences ("\x1b[2J"
// clears the screen, "\r" overwrites a line). valid_utf8() repairs text that goes into
// files that must stay readable by JSON and EDN parsers (results.json, history.edn):
// each byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlongs, no
// surrogates) becomes U+FFFD, as a JVM reader would. printable() is for the console and
// the logs: control characters (C0, DEL, C1) become visible escapes (\x1b, \u009b) and
// malformed bytes \xNN, so nothing a terminal acts on remains. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace squall::harness {

bool is_valid_utf8(std::string_view text);
std::string valid_utf8(std::string_view text);

// `keep_newlines`: multi-line text (the report) keeps its '\n'; tabs are always kept.
std::string printable(std::string_view text, bool keep_newlines = false);

}  // namespace squall::harness
