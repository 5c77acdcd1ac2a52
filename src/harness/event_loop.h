// EventLoop: a thin epoll wrapper plus signalfd for SIGINT, SIGTERM and SIGHUP.
//
// Descriptors are registered with a 64-bit tag that comes back with each event. The
// signal watch blocks SIGINT, SIGTERM and SIGHUP (a closed terminal) for the process while it lives (so they arrive
// as readable events on signal_fd() instead of killing the harness mid-write) and
// restores the previous mask when destroyed.
//
// Waits run on real time, or on virtual time for tests: given a ManualClock, a wait
// polls for at most `settle_ms` of real time and, if no descriptor became ready, moves
// the clock forward by the whole timeout instead of sleeping it. A run whose nodes are
// idle then covers seconds of timeouts in milliseconds. Virtual time never runs slower
// than real time (each wait also adds the real time since the previous one), so nodes
// that never fall quiet cannot stop the clock. Not thread-safe.
#pragma once

#include <signal.h>
#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace squall::harness {

class EventLoop {
 public:
  // Real time, or virtual time on `manual` (see above).
  static Result<std::unique_ptr<EventLoop>> create(ManualClock* manual = nullptr, int settle_ms = 0);
  ~EventLoop();

  Status add(int fd, uint32_t events, uint64_t tag);
  Status modify(int fd, uint32_t events, uint64_t tag);
  void remove(int fd);
  // Waits up to timeout_ns (0 = poll) and returns the ready events.
  const std::vector<epoll_event>& wait(int64_t timeout_ns);

  // Starts watching SIGINT, SIGTERM and SIGHUP; returns the signalfd to register.
  Result<int> watch_signals();
  // Reads one pending signal number from the signalfd (0 if none).
  int read_signal();

 private:
  EventLoop() = default;
  ManualClock* manual_ = nullptr;
  int settle_ms_ = 0;
  SteadyClock real_;
  int64_t last_real_ns_ = 0;  // when the previous virtual wait ended
  int epfd_ = -1;
  int sigfd_ = -1;
  bool mask_saved_ = false;
  sigset_t old_mask_;
  std::vector<epoll_event> events_;
};

}  // namespace squall::harness
