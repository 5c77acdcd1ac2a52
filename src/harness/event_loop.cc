#include "harness/event_loop.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace squall::harness {

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  auto loop = std::unique_ptr<EventLoop>(new EventLoop());
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
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) return err(std::string("epoll_ctl add: ") + std::strerror(errno));
  return {};
}

Status EventLoop::modify(int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) return err(std::string("epoll_ctl mod: ") + std::strerror(errno));
  return {};
}

void EventLoop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

const std::vector<epoll_event>& EventLoop::wait(int timeout_ms) {
  static thread_local std::vector<epoll_event> ready;
  ready.clear();
  int n;
  do {
    n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  } while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; ++i) ready.push_back(events_[static_cast<size_t>(i)]);
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
