// StdioDriver: runs a Node as a Maelstrom process — JSON lines on stdin, one line per
// outgoing message on stdout, log lines on stderr.
//
// The loop polls stdin with a timeout taken from the node's next deadline, so timers
// fire on time while input is idle. Output is buffered and written (one write per batch,
// never half a line) after each read chunk and each tick, so a burst of input costs few
// syscalls. EOF on stdin flushes and returns 0. Faults for negative-control tests
// (garbage line, crash after N messages) live here because they are I/O behaviour.
// Owns no thread; runs on the caller's.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "node/node.h"

namespace squall::node {

struct StdioOptions {
  int in_fd = 0;
  int out_fd = 1;
  int err_fd = 2;
  // Fault: write one non-JSON line to stdout right after init_ok.
  bool garbage_line_once = false;
  // Fault: when >= 0, exit abnormally (status kCrashExitStatus) on reading message N+1,
  // so exactly N input lines are served.
  int64_t crash_after_messages = -1;
  // Prefix of every stderr line, e.g. "maelstrom_gossip: ".
  std::string log_prefix;
};

inline constexpr int kCrashExitStatus = 86;

// Runs until EOF on stdin (returns 0) or an I/O error (returns 1, after logging it).
int run_stdio(Node& node, const Clock& clock, const StdioOptions& options);

}  // namespace squall::node
