// Printable text: bytes from a history (values, op names, the text of a malformed line)
// made safe to show on a terminal or to write into a file that must be valid UTF-8.
//
// A history is untrusted input. Written raw, an escape sequence in a value can rewrite a
// user's terminal, and a stray byte that is not UTF-8 makes an HTML or JSON file invalid.
// printable() keeps every well-formed, visible UTF-8 character, line breaks and tabs, and
// spells everything else as an escape a reader can still recognise: control characters
// (C0 other than '\n' and '\t', DEL, and the C1 range U+0080..U+009F, which terminals
// also obey) as \u00XX, and bytes that are not valid UTF-8 as \xNN. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace squall::history {

std::string printable(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace squall::history
