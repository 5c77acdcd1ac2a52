// FileBody: a regular file sent as a response body without loading it into memory.
//
// The store browser opens (GET) or only stats (HEAD) the file it has already checked
// lies inside the store, and the server streams it from the open descriptor in small
// pieces, so serving a 450 MB log costs kilobytes, and HEAD never reads a byte. Opening
// here, not in the server, keeps the check and the open on one file: the descriptor is
// the file that passed the check even if the path is replaced afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace squall::serve {

class FileBody {
 public:
  // Opens `path` for reading; refuses anything but a regular file (a FIFO would block).
  static Result<std::shared_ptr<const FileBody>> open(const std::string& path);
  // Only the size of `path`, for HEAD: fd() is -1.
  static Result<std::shared_ptr<const FileBody>> stat(const std::string& path);

  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  FileBody(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

}  // namespace squall::serve
