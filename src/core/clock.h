// Clock: the injected source of time.
//
// Sans-IO cores never read a clock; the drivers around them do, through this
// interface, so that the simulator can substitute virtual time. Times are nanoseconds
// on a monotonic axis whose origin is the clock's own (only differences mean anything).
#pragma once

#include <cstdint>

namespace squall {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ns() const = 0;
  int64_t now_ms() const { return now_ns() / 1'000'000; }
};

// The host's steady clock. Thread-safe.
class SteadyClock final : public Clock {
 public:
  int64_t now_ns() const override;
};

// A clock that moves only when told to: for tests and the simulator. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ns = 0) : now_(start_ns) {}
  int64_t now_ns() const override { return now_; }
  // Precondition: t_ns >= now_ns() (time never runs backwards on one clock).
  void set(int64_t t_ns);
  void advance(int64_t delta_ns);

 private:
  int64_t now_;
};

}  // namespace squall
