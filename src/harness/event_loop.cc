#include "harness/event_loop.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace squall::harness {

Result<std::unique_ptr<EventLoop>> EventLoop::create(ManualClock* manual, int settle_ms) {
  auto loop = std::unique_ptr<EventLoop>(new EventLoop());
  loop->manual_ = manual;
  loop->settle_ms_ = settle_ms;
  loop->last_real_ns_ = loop->real_.now_ns();
  loop->epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop->epfd_ < 0) return err(std::string("epoll_create1: ") + std::strerror(errno));
  loop->events_.resize(256);
  return loop;
}

EventLoop::~EventLoop() {
  if (sigfd_ >= 0) ::close(sigfd_);
  if (mask_saved_) ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  if (epfd_ >= 0) ::close(epfd_);
}

Status EventLoop::add(int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    return err(std::string("epoll_ctl add: ") + std::strerror(errno));
  return {};
}

Status EventLoop::modify(int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)
    return err(std::string("epoll_ctl mod: ") + std::strerror(errno));
  return {};
}

void EventLoop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

const std::vector<epoll_event>& EventLoop::wait(int64_t timeout_ns) {
  static thread_local std::vector<epoll_event> ready;
  ready.clear();
  if (timeout_ns < 0) timeout_ns = 0;
  // Real time: round up, so that a wake-up never comes before its deadline.
  int timeout_ms = static_cast<int>(std::min<int64_t>((timeout_ns + 999'999) / 1'000'000, INT32_MAX));
  if (manual_) timeout_ms = std::min(timeout_ms, settle_ms_);
  int n;
  do {
    n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  } while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; ++i) ready.push_back(events_[static_cast<size_t>(i)]);
  if (manual_) {
    // Virtual time: nothing happened within the settle time, so nothing would have
    // happened before the timeout either (the test's nodes are idle); jump there. Busy or
    // not, the real time that passed has passed on the virtual clock too.
    int64_t real_now = real_.now_ns();
    int64_t elapsed = real_now - last_real_ns_;
    last_real_ns_ = real_now;
    manual_->advance(ready.empty() ? std::max(elapsed, timeout_ns) : elapsed);
  }
  return ready;
}

Result<int> EventLoop::watch_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (::sigprocmask(SIG_BLOCK, &set, &old_mask_) != 0) return err(std::string("sigprocmask: ") + std::strerror(errno));
  mask_saved_ = true;
  sigfd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd_ < 0) return err(std::string("signalfd: ") + std::strerror(errno));
  return sigfd_;
}

int EventLoop::read_signal() {
  signalfd_siginfo info;
  ssize_t n = ::read(sigfd_, &info, sizeof info);
  if (n != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace squall::harness
