#include "serve/file_body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace squall::serve {

Result<std::shared_ptr<const FileBody>> FileBody::open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO swapped in for the file must not hang the connection;
  // it changes nothing for a regular file. O_NOFOLLOW: the path was resolved already.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return err("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return err(path + " is not a regular file");
  }
  return std::shared_ptr<const FileBody>(new FileBody(fd, static_cast<uint64_t>(st.st_size)));
}

Result<std::shared_ptr<const FileBody>> FileBody::stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return err("cannot stat " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return err(path + " is not a regular file");
  return std::shared_ptr<const FileBody>(new FileBody(-1, static_cast<uint64_t>(st.st_size)));
}

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace squall::serve
