#include "harness/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "core/clock.h"

namespace squall::harness {
namespace {

using std::chrono::steady_clock;

double seconds_since(steady_clock::time_point t0) {
  return std::chrono::duration<double>(steady_clock::now() - t0).count();
}

TEST(EventLoop, IdleVirtualWaitJumpsTheClockInsteadOfSleeping) {
  ManualClock clock(100);
  auto loop = EventLoop::create(&clock, /*settle_ms=*/0);
  ASSERT_TRUE(loop.ok()) << loop.error();
  auto t0 = steady_clock::now();
  EXPECT_TRUE((*loop)->wait(30'000'000'000).empty());
  EXPECT_LT(seconds_since(t0), 1.0) << "30 s of virtual waiting must not be slept";
  EXPECT_GE(clock.now_ns(), 100 + 30'000'000'000);
  // A little over the timeout at most: the real time the call took.
  EXPECT_LT(clock.now_ns(), 100 + 31'000'000'000);
}

TEST(EventLoop, VirtualWaitWithAReadyDescriptorAddsOnlyTheRealTime) {
  ManualClock clock;
  auto loop = EventLoop::create(&clock, /*settle_ms=*/10);
  ASSERT_TRUE(loop.ok()) << loop.error();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_TRUE((*loop)->add(fds[0], EPOLLIN, 7).ok());
  ASSERT_EQ(::write(fds[1], "x", 1), 1);
  const auto& ready = (*loop)->wait(30'000'000'000);
  ASSERT_EQ(ready.size(), 1u);
  const uint64_t tag = ready[0].data.u64;  // a copy: epoll_event is packed, its u64 misaligned
  EXPECT_EQ(tag, 7u);
  EXPECT_LT(clock.now_ns(), 1'000'000'000) << "a node spoke: no jump to the timeout";
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(EventLoop, RealWaitSleepsUntilTheTimeout) {
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop.ok()) << loop.error();
  auto t0 = steady_clock::now();
  EXPECT_TRUE((*loop)->wait(50'000'000).empty());
  EXPECT_GE(seconds_since(t0), 0.049);
}

}  // namespace
}  // namespace squall::harness
