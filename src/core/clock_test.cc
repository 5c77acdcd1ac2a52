#include "core/clock.h"

#include <gtest/gtest.h>

namespace squall {
namespace {

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(1'000'000);
  EXPECT_EQ(c.now_ms(), 1);
  c.advance(2'000'000);
  EXPECT_EQ(c.now_ns(), 3'000'000);
  c.set(5'000'000);
  EXPECT_EQ(c.now_ms(), 5);
}

TEST(ClockDeathTest, ManualClockNeverRunsBackwards) {
  ManualClock c(10);
  EXPECT_DEATH(c.set(5), "t_ns >= now_");
}

TEST(Clock, SteadyClockIsMonotonic) {
  SteadyClock c;
  int64_t a = c.now_ns();
  int64_t b = c.now_ns();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace squall
