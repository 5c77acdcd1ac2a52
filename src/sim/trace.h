// Trace: the per-tick log of one simulated run, for replaying a failure by eye.
//
// Formatting costs time, so a disabled trace records nothing (sweeps run untraced and
// re-run a failing seed traced). An enabled trace hashes every line (FNV-1a, so two
// runs of one seed can be compared byte for byte), keeps the last `tail_max` lines, and
// can mirror everything to a sink. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>

namespace squall::sim {

class Trace {
 public:
  Trace() = default;
  Trace(size_t tail_max, std::FILE* sink) : enabled_(true), tail_max_(tail_max), sink_(sink) {}

  bool enabled() const { return enabled_; }
  void line(int64_t now_ms, std::string_view text);

  uint64_t hash() const { return hash_; }
  uint64_t lines() const { return lines_; }
  const std::deque<std::string>& tail() const { return tail_; }

 private:
  bool enabled_ = false;
  size_t tail_max_ = 0;
  std::FILE* sink_ = nullptr;
  std::deque<std::string> tail_;
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t lines_ = 0;
};

}  // namespace squall::sim
