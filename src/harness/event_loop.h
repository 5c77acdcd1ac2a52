// EventLoop: a thin epoll wrapper plus signalfd for SIGINT, SIGTERM and SIGHUP.
//
// Descriptors are registered with a 64-bit tag that comes back with each event. The
// signal watch blocks SIGINT, SIGTERM and SIGHUP (a closed terminal) for the process while it lives (so they arrive
// as readable events on signal_fd() instead of killing the harness mid-write) and
// restores the previous mask when destroyed. Not thread-safe.
#pragma once

#include <signal.h>
#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/result.h"

namespace squall::harness {

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();

  Status add(int fd, uint32_t events, uint64_t tag);
  Status modify(int fd, uint32_t events, uint64_t tag);
  void remove(int fd);
  // Waits up to timeout_ms (0 = poll) and returns the ready events.
  const std::vector<epoll_event>& wait(int timeout_ms);

  // Starts watching SIGINT, SIGTERM and SIGHUP; returns the signalfd to register.
  Result<int> watch_signals();
  // Reads one pending signal number from the signalfd (0 if none).
  int read_signal();

 private:
  EventLoop() = default;
  int epfd_ = -1;
  int sigfd_ = -1;
  bool mask_saved_ = false;
  sigset_t old_mask_;
  std::vector<epoll_event> events_;
};

}  // namespace squall::harness
