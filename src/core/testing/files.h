// Small file helpers for tests: a whole file as text, a file written (parents
// created), and a per-process log path in the temporary directory. Header-only.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace squall::testing {

// The file's bytes ("" when it cannot be read: the caller's assertion then says why).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// <tmp>/<name><pid>.log: distinct per test process, so parallel ctest runs never share.
inline std::string temp_log_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".log")).string();
}

}  // namespace squall::testing
