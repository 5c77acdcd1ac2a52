#include "history/text_input.h"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace squall::history {

namespace {
constexpr size_t kChunkBytes = 64 * 1024;
}

TextInput::TextInput(std::FILE* f, std::string name) : file_(f), name_(std::move(name)) {}

TextInput::~TextInput() {
  if (file_ != nullptr && file_ != stdin) std::fclose(file_);
}

Result<std::unique_ptr<TextInput>> TextInput::open_file(const std::string& path) {
  if (path == "-") return std::unique_ptr<TextInput>(new TextInput(stdin, "<stdin>"));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return err(path + ": cannot open: " + std::strerror(errno));
  auto in = std::unique_ptr<TextInput>(new TextInput(f, path));
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode)) in->size_hint_ = static_cast<size_t>(st.st_size);
  return in;
}

std::unique_ptr<TextInput> TextInput::from_string(std::string text, std::string name, int first_line,
                                                  std::string context) {
  auto in = std::unique_ptr<TextInput>(new TextInput(nullptr, std::move(name)));
  in->line_ = first_line;
  in->context_ = std::move(context);
  in->buf_ = std::move(text);
  in->end_ = in->buf_.size();
  in->size_hint_ = in->end_;
  return in;
}

bool TextInput::refill() {
  if (file_ == nullptr) return false;
  buf_.resize(kChunkBytes);
  size_t n = std::fread(buf_.data(), 1, kChunkBytes, file_);
  pos_ = 0;
  end_ = n;
  if (n == 0) {
    if (std::ferror(file_)) io_failed_ = true;
    if (file_ != stdin) std::fclose(file_);
    file_ = nullptr;
    return false;
  }
  return true;
}

std::string_view TextInput::lookahead(size_t n) {
  while (end_ - pos_ < n && file_ != nullptr) {
    // Keep the unread tail, then append the next chunk after it.
    std::string rest = buf_.substr(pos_, end_ - pos_);
    std::string chunk(kChunkBytes, '\0');
    size_t got = std::fread(chunk.data(), 1, kChunkBytes, file_);
    if (got == 0) {
      if (std::ferror(file_)) io_failed_ = true;
      if (file_ != stdin) std::fclose(file_);
      file_ = nullptr;
    }
    buf_ = rest + chunk.substr(0, got);
    pos_ = 0;
    end_ = buf_.size();
  }
  return std::string_view(buf_).substr(pos_, std::min(n, end_ - pos_));
}

bool TextInput::read_line(std::string* out, size_t max_len, bool* truncated) {
  out->clear();
  *truncated = false;
  if (peek() == kEof) return false;
  while (true) {
    if (pos_ == end_ && !refill()) return true;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : end_ - pos_;
    size_t room = max_len > out->size() ? max_len - out->size() : 0;
    if (take > room) {
      // Stop here rather than skip to the line's end: an endless line (/dev/zero) would
      // otherwise be read forever. The caller treats a truncated line as an error.
      out->append(start, room);
      pos_ += room;
      *truncated = true;
      return true;
    }
    out->append(start, take);
    pos_ += take;
    if (nl) {
      ++pos_;
      ++line_;
      return true;
    }
  }
}

Error TextInput::error_at(int line, std::string_view what) const {
  return err(name_ + ":" + std::to_string(line) + ": " + context_ + std::string(what));
}

}  // namespace squall::history
