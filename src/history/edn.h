// EDN reading and writing, the subset Jepsen and Knossos histories use: nil, booleans,
// integers (with an optional N suffix), floats, strings, characters (read as one-character
// strings), keywords, symbols, lists, vectors, maps, sets, tagged literals (#inst "..."),
// comments, discards (#_) and metadata (^m, skipped).
//
// EdnReader streams forms from a TextInput one at a time, so a history of millions of ops
// is read without holding its text. Not thread-safe. Every failure is a Result error of
// the form `file:line: expected ..., found ...`; no input makes the reader crash, and
// limits (nesting depth, string length, collection size) bound memory and stack.
#pragma once

#include <string>
#include <string_view>

#include "core/json_limits.h"
#include "core/result.h"
#include "history/text_input.h"
#include "history/value.h"

namespace squall::history {

struct EdnLimits {
  int depth_max = kJsonDepthMax;           // nested collections (the one nesting limit)
  size_t string_bytes_max = 16u << 20;     // one string or symbol
  size_t collection_items_max = 1u << 26;  // items in one collection
};

class EdnReader {
 public:
  explicit EdnReader(TextInput* in, EdnLimits limits = {}) : in_(in), limits_(limits) {}

  // Skips whitespace, commas and comments; returns the next significant character
  // without consuming it, or TextInput::kEof.
  int skip_space();
  // Reads the next form; at end of input this is an error ("expected a value").
  Result<Value> read();
  TextInput& input() { return *in_; }

 private:
  Result<Value> read_form(int depth);
  Result<Value> read_string();
  Result<Value> read_char();
  Result<Value> read_number_or_symbol();
  Result<Value> read_collection(int close, int depth, std::vector<Value>* items);
  std::string read_token();

  TextInput* in_;
  EdnLimits limits_;
};

// Parses exactly one form from text (trailing whitespace allowed).
// `first_line` and `context` place errors inside a bigger input (see TextInput::from_string).
Result<Value> parse_edn(std::string_view text, std::string name = "<string>", int first_line = 1,
                        std::string context = {});

// Writes a value as EDN; parse_edn(to_edn(v)) == v for every value without doubles
// (doubles are written in their shortest form that reads back exactly, and round-trip too).
std::string to_edn(const Value& v);
void append_edn(std::string* out, const Value& v);

// Appends `s` as a quoted string literal; EDN and JSON share these escapes (\" \\ \n \r
// \t, \uXXXX for other control characters), so both writers use it.
void append_quoted(std::string* out, std::string_view s);

}  // namespace squall::history
