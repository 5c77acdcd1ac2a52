// squall_run.h: runs the built `squall test` binary from end-to-end tests.
//
// Shared by the integration suites under tests/: each run gets a fresh store directory
// under <build>/test-store/<suite>/<name>, a hard `timeout -s KILL` so no fixture can hang
// CI, and its stdout (the report), stderr (the log) and exit code captured.
// Also the suites' shared checks: skipping when the binaries are not built, the verdict
// of a run, gtest names from string parameters.
// Header-only; SQUALL_BINARY_DIR and SQUALL_SOURCE_DIR come from squall_test().
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/testing/subprocess.h"

namespace squall::testing {

namespace fs = std::filesystem;

inline const std::string kBuild = SQUALL_BINARY_DIR;
inline const std::string kSource = SQUALL_SOURCE_DIR;
inline const std::string kSquall = kBuild + "/squall";
inline const std::string kGossip = kBuild + "/maelstrom_gossip";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RunResult {
  int exit_code = -1;
  std::string out;    // stdout: the report
  std::string err;    // stderr: the log
  std::string store;  // the --store directory of the run
  fs::path run_dir() const { return fs::path(store) / "latest"; }
  std::string results_edn() const { return slurp(run_dir() / "results.edn"); }
};

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

inline bool have_binaries() { return executable(kSquall) && executable(kGossip); }

// Skips the calling test when squall or maelstrom_gossip is not built.
#define SQUALL_REQUIRE_BINARIES()          \
  if (!::squall::testing::have_binaries()) \
  GTEST_SKIP() << "squall or maelstrom_gossip is not built in " << ::squall::testing::kBuild

// The run exited with `exit_code` and its report says "Result: <result>"; a failure
// shows the report and the log.
inline ::testing::AssertionResult verdict_is(const RunResult& r, int exit_code, const std::string& result) {
  if (r.exit_code == exit_code && contains(r.out, "Result: " + result)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "exit code " << r.exit_code << ", expected " << exit_code
                                       << " and Result: " << result << "\n"
                                       << r.out << r.err;
}

// Names parameterised tests after a string parameter; gtest names take no '-'.
struct NameFromParam {
  template <typename Info>
  std::string operator()(const Info& info) const {
    std::string s = info.param;
    for (char& c : s)
      if (c == '-') c = '_';
    return s;
  }
};

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
  Completed c = run_shell("timeout -s KILL " + std::to_string(timeout_s) + " " + kSquall + " test --store " + r.store +
                          " " + args);
  r.exit_code = c.exit_code();
  r.out = std::move(c.out);
  r.err = std::move(c.err);
  return r;
}

}  // namespace squall::testing
