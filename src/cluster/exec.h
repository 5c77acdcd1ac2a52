// Exec: run one program to completion with a deadline and capture what it wrote.
//
// The one way src/cluster starts short-lived commands (ip, nft, etcdctl, ssh, sh). The
// child gets its own process group so that a timeout kills the whole command tree, and
// its descriptors other than the three pipes are closed on exec. An optional hook runs in
// the child between fork and exec (the local transport enters a network namespace there);
// it must only make system calls. Thread-safe: each call owns its child.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace squall::cluster {

struct ExecRequest {
  std::vector<std::string> argv;        // argv[0] is looked up in PATH
  std::string stdin_data;               // written to the child's stdin, which is then closed
  int64_t timeout_ms = 30'000;          // the child's process group is killed after this
  size_t output_bytes_max = 64u << 20;  // per stream; the rest is discarded
};

struct ExecResult {
  int exit_code = -1;  // -1 unless the program exited normally
  int signal = 0;      // the signal that ended it, 0 if none
  bool timed_out = false;
  bool start_failed = false;  // fork/pipe failed or the hook failed (exit 126/127 otherwise)
  std::string out;
  std::string err;

  bool ok() const { return exit_code == 0; }
  // "exit 1: <first line of stderr>", "timed out after 30000 ms", ...
  std::string describe() const;
};

// Runs req.argv; `in_child` (if set) runs in the child after fork and returns false to
// make the child exit with 126 (its errno is reported on stderr).
ExecResult run_command(const ExecRequest& req, const std::function<bool()>& in_child = {});

// Convenience: run argv with the default deadline.
ExecResult run_argv(std::vector<std::string> argv, int64_t timeout_ms = 30'000);

}  // namespace squall::cluster
