// TextInput: a buffered, forward-only character source over a file or an in-memory string,
// counting lines so that parse errors can say `file:line: ...`.
//
// Streaming: a file is read in fixed 64 KiB chunks, so memory does not grow with the file.
// Not thread-safe. Invariant: line() is the 1-based line of the next character returned.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace squall::history {

class TextInput {
 public:
  static constexpr int kEof = -1;

  // Opens a file for reading; error names the path and the reason.
  static Result<std::unique_ptr<TextInput>> open_file(const std::string& path);
  // Reads from a copy of `text`; `name` appears in error messages. A text cut out of a
  // bigger input (one op's value on line N of a log) passes its first line and a context
  // word, so its errors name the right place without anyone editing an error's text.
  static std::unique_ptr<TextInput> from_string(std::string text, std::string name, int first_line = 1,
                                                std::string context = {});

  ~TextInput();
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  int peek() {
    if (pos_ == end_ && !refill()) return kEof;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  int get() {
    int c = peek();
    if (c == kEof) return c;
    ++pos_;
    if (c == '\n') ++line_;
    return c;
  }

  // Up to n upcoming characters without consuming them (fewer only at end of input).
  std::string_view lookahead(size_t n);

  // Reads up to and excluding the next '\n' (consumed) into *out; false at end of input.
  // A line longer than max_len stops reading after max_len bytes, which are in *out, with
  // *truncated set; the rest of that line is left unread.
  bool read_line(std::string* out, size_t max_len, bool* truncated);

  // The size of a regular file, or of the in-memory text, in bytes; 0 when unknown (a
  // pipe, a device). A hint for reserving memory, not a promise.
  size_t size_hint() const { return size_hint_; }

  int line() const { return line_; }
  const std::string& name() const { return name_; }
  // "name:line: what" — the one shape of every parse error.
  Error error_here(std::string_view what) const { return error_at(line_, what); }
  Error error_at(int line, std::string_view what) const;
  // True when a read error (not end of file) stopped the input.
  bool io_failed() const { return io_failed_; }

 private:
  TextInput(std::FILE* f, std::string name);
  bool refill();

  std::FILE* file_ = nullptr;
  std::string name_;
  std::string buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  int line_ = 1;
  std::string context_;  // put before every error message, e.g. "bad value: "
  bool io_failed_ = false;
  size_t size_hint_ = 0;
};

}  // namespace squall::history
