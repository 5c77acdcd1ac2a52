#include "sim/trace.h"

#include <fmt/format.h>

namespace squall::sim {

void Trace::line(int64_t now_ms, std::string_view text) {
  if (!enabled_) return;
  std::string s = fmt::format("t={:>7}ms {}", now_ms, text);
  for (unsigned char c : s) {
    hash_ ^= c;
    hash_ *= 0x100000001b3ULL;
  }
  hash_ ^= '\n';
  hash_ *= 0x100000001b3ULL;
  ++lines_;
  if (sink_ != nullptr) std::fprintf(sink_, "%s\n", s.c_str());
  tail_.push_back(std::move(s));
  if (tail_.size() > tail_max_) tail_.pop_front();
}

}  // namespace squall::sim
