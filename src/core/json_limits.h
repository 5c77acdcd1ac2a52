// JSON limits: the one nesting bound for JSON that Squall reads from outside (node output,
// JSON-lines histories, service keys and values).
//
// JSON parsers and writers recurse once per level of nesting, so untrusted text must have
// its depth measured before any of them runs. json_depth() does that in one linear pass
// without recursion; callers refuse (or keep as text) anything deeper than kJsonDepthMax.
// Header-only and thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <string_view>

namespace squall {

// Deepest nesting of arrays and objects accepted anywhere. Real payloads (Maelstrom
// bodies, Jepsen op values) nest a handful of levels; 128 leaves ample room while keeping
// every recursive walk over a parsed value far from the stack's end.
inline constexpr int kJsonDepthMax = 128;

// The deepest nesting of '[' and '{' in `text`, counting only brackets outside strings.
// Stops scanning as soon as the depth exceeds `stop_above` and returns stop_above + 1, so
// the cost is bounded by the text read, never by its depth. The text need not be valid
// JSON: unbalanced brackets just give the depth reached.
inline int json_depth(std::string_view text, int stop_above = kJsonDepthMax) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // skip the escaped character, which may be a quote
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > stop_above) return stop_above + 1;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace squall
