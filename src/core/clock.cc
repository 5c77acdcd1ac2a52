#include "core/clock.h"

#include <chrono>

#include "core/assert.h"

namespace squall {

int64_t SteadyClock::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ManualClock::set(int64_t t_ns) {
  SQ_ASSERT_GE(t_ns, now_);
  now_ = t_ns;
}

void ManualClock::advance(int64_t delta_ns) {
  SQ_ASSERT_GE(delta_ns, 0);
  now_ += delta_ns;
}

}  // namespace squall
