// libFuzzer target for the Jepsen console log reader (history/reader.h,
// Format::kJepsenLog): arbitrary bytes give a history or an error, never a crash; what is
// read round-trips through JSON lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "history_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squall::history;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = parse_history(text, ReadOptions{Format::kJepsenLog});
  if (h.ok()) squall::fuzz::check_jsonl_round_trip(*h);
  return 0;
}
