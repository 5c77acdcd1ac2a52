// Tcp: the two blocking-with-a-deadline socket steps every TCP client of Squall takes —
// wait for a descriptor to be ready, and connect — so that the etcd client and the
// gossip-worker control client bound each step by the caller's deadline the same way.
//
// Deadlines are on the steady clock. Descriptors are non-blocking and close-on-exec;
// callers own and close them. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace squall {

using SteadyDeadline = std::chrono::steady_clock::time_point;

// Waits until fd is ready for `events` (POLLIN, POLLOUT, ...), retrying after EINTR;
// false once the deadline passes or poll fails.
bool wait_fd(int fd, short events, SteadyDeadline deadline);

// A connected TCP socket to host:port (an IP address or a name resolved with
// getaddrinfo, every address tried in turn until one connects) with TCP_NODELAY set;
// an error naming host:port and why (refused, timed out, unresolvable) otherwise.
Result<int> connect_tcp(const std::string& host, uint16_t port, SteadyDeadline deadline);

}  // namespace squall
