#include "core/progress.h"

#include <cstdio>

namespace squall::core {
namespace {

// snprintf into a std::string (core uses no formatting library).
template <typename... Args>
std::string format(const char* f, Args... args) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, f, args...);
  return n < 0 ? std::string() : std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

}  // namespace

std::string format_progress(const ProgressState& s) {
  std::string line =
      s.limit_s > 0 ? format("[%6.1f s / %.0f s]", s.elapsed_s, s.limit_s) : format("[%6.1f s]", s.elapsed_s);
  std::string sep = " ";
  auto add = [&](const std::string& part) {
    line += sep + part;
    sep = " | ";
  };
  if (!s.phase.empty()) add(s.phase);
  if (s.ok >= 0)
    add(format("ok %lld fail %lld info %lld", static_cast<long long>(s.ok), static_cast<long long>(s.fail),
               static_cast<long long>(s.info)));
  if (s.ops_per_s >= 0) add(format("%.1f ops/s", s.ops_per_s));
  if (!s.nemesis.empty()) add(s.nemesis);
  if (s.done >= 0) {
    std::string part = s.unit + format(" %lld", static_cast<long long>(s.done));
    if (s.total > 0) part += format("/%lld", static_cast<long long>(s.total));
    part += format(", %lld failing", static_cast<long long>(s.failing));
    add(part);
  }
  return line;
}

Progress::Sink Progress::stderr_sink() {
  return [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
}

void Progress::update(int64_t now_ns, const ProgressState& s) {
  if (last_ns_ < 0 && !tty_) last_ns_ = now_ns;  // a log's first line comes one period in
  if (last_ns_ >= 0 && now_ns - last_ns_ < period_ns_) return;
  last_ns_ = now_ns;
  if (tty_) {
    sink_("\r\033[K" + format_progress(s));
    line_open_ = true;
  } else {
    sink_(format_progress(s) + "\n");
  }
}

void Progress::clear() {
  if (!tty_ || !line_open_) return;
  sink_("\r\033[K");
  line_open_ = false;
}

void Progress::finish(int64_t now_ns, const ProgressState& s) {
  last_ns_ = now_ns;
  sink_((tty_ ? "\r\033[K" : "") + format_progress(s) + "\n");
  line_open_ = false;
}

}  // namespace squall::core
