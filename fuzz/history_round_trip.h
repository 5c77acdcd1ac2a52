// Shared by the history reader fuzz targets: a history that was read must survive being
// written as JSON lines and read back, and the second writing must equal the first (the
// first may differ from the input: keywords become strings). A broken promise traps, so
// libFuzzer reports it like a crash.
#pragma once

#include "history/reader.h"
#include "history/writer.h"

namespace squall::fuzz {

inline void check_jsonl_round_trip(const history::History& h) {
  std::string once = history::history_to_jsonl(h);
  auto again = history::parse_history(once, history::ReadOptions{history::Format::kJsonLines});
  if (!again.ok()) __builtin_trap();
  if (history::history_to_jsonl(*again) != once) __builtin_trap();
}

}  // namespace squall::fuzz
