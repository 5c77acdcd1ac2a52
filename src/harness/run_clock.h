// RunClock: nanoseconds since the run started, read from an injected clock.
//
// The harness reads time only through this: on the host's steady clock in `squall test`,
// on a ManualClock that the event loop advances in tests (see EventLoop), so that waits
// of seconds (the init timeout, the recovery time) take no real time there. Not
// thread-safe.
#pragma once

#include <cstdint>

#include "core/clock.h"

namespace squall::harness {

class RunClock final : public Clock {
 public:
  explicit RunClock(const Clock& base) : base_(base), t0_(base.now_ns()) {}
  // The run starts now: later readings count from here.
  void restart() { t0_ = base_.now_ns(); }
  int64_t now_ns() const override { return base_.now_ns() - t0_; }

 private:
  const Clock& base_;
  int64_t t0_;
};

}  // namespace squall::harness
