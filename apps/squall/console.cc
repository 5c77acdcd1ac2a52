#include "console.h"

#include <signal.h>
#include <cstdio>

#include "history/printable.h"

namespace squall::cli {
namespace {

core::Progress* g_progress = nullptr;
std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

}  // namespace

void set_console_progress(core::Progress* progress) { g_progress = progress; }

void out(const std::string& text) {
  if (g_progress) g_progress->clear();
  std::fputs(history::printable(text).c_str(), stdout);
  std::fflush(stdout);
}

void err_line(const std::string& text) {
  if (g_progress) g_progress->clear();
  std::fputs(history::printable(text + "\n").c_str(), stderr);
}

std::atomic<bool>& stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  return g_stop;
}

}  // namespace squall::cli
