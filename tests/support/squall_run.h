// squall_run.h: runs the built `squall test` binary from end-to-end tests.
//
// Shared by the integration suites under tests/: each run gets a fresh store directory
// under <build>/test-store/<suite>/<name>, a hard `timeout -s KILL` so no fixture can hang
// CI, and its stdout (the report), stderr (the log) and exit code captured.
// Header-only; SQUALL_BINARY_DIR and SQUALL_SOURCE_DIR come from squall_test().
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace squall::testing {

namespace fs = std::filesystem;

inline const std::string kBuild = SQUALL_BINARY_DIR;
inline const std::string kSource = SQUALL_SOURCE_DIR;
inline const std::string kSquall = kBuild + "/squall";
inline const std::string kGossip = kBuild + "/maelstrom_gossip";

struct RunResult {
  int exit_code = -1;
  std::string out;    // stdout: the report
  std::string err;    // stderr: the log
  std::string store;  // the --store directory of the run
  fs::path run_dir() const { return fs::path(store) / "latest"; }
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// A fresh (removed) store directory for run `name` of `suite`.
inline std::string fresh_store(const std::string& suite, const std::string& name) {
  fs::path dir = fs::path(kBuild) / "test-store" / suite / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir.string();
}

// Runs `squall test --store <fresh store> <args>` (args is a shell-quoted string),
// killed after `timeout_s` seconds.
inline RunResult squall_test(const std::string& suite, const std::string& name, const std::string& args,
                             int timeout_s = 150) {
  RunResult r;
  r.store = fresh_store(suite, name);
  const std::string err_path = r.store + ".stderr";
  const std::string cmd = "timeout -s KILL " + std::to_string(timeout_s) + " " + kSquall + " test --store " +
                          r.store + " " + args + " 2>" + err_path;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err_path);
  return r;
}

}  // namespace squall::testing
