// Shared by the history reader fuzz targets: a history that was read must survive being
// written as JSON lines and read back, with the same number of ops. The first writing
// may differ from the second (keywords become strings, which can reorder a map's keys,
// see history/writer.h), but from then on writing and reading is a fixed point. A broken
// promise traps, so libFuzzer reports it like a crash.
#pragma once

#include <cstdlib>
#include <string>

#include "history/reader.h"
#include "history/writer.h"

namespace squall::fuzz {

inline history::History read_back_or_trap(const std::string& jsonl, size_t ops) {
  auto h = history::parse_history(jsonl, history::ReadOptions{history::Format::kJsonLines});
  if (!h.ok() || h->size() != ops) __builtin_trap();
  return std::move(*h);
}

// Checked only when SQUALL_FUZZ_ROUND_TRIP is set: the CI fuzz gate fails on crashes and
// sanitizer reports; the round trip still has known gaps (see CONTRIBUTING.md, fuzzing).
inline void check_jsonl_round_trip(const history::History& h) {
  static const bool enabled = std::getenv("SQUALL_FUZZ_ROUND_TRIP") != nullptr;
  if (!enabled) {
    (void)history::history_to_jsonl(h);
    return;
  }
  std::string once = history::history_to_jsonl(h);
  std::string twice = history::history_to_jsonl(read_back_or_trap(once, h.size()));
  if (history::history_to_jsonl(read_back_or_trap(twice, h.size())) != twice) __builtin_trap();
}

}  // namespace squall::fuzz
