// libFuzzer target for the history readers: arbitrary bytes must give a history or an
// error message, never a crash, hang or unbounded allocation. Built with -DSQUALL_FUZZ=ON
// and clang; the same entry point runs over fuzz/seeds in the unit tests (plain g++).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "history/edn.h"
#include "history/reader.h"
#include "history/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squall::history;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = parse_edn(text);
  if (v.ok()) {
    // What we write, we must read back equal.
    auto again = parse_edn(to_edn(*v));
    if (!again.ok() || !(*again == *v)) __builtin_trap();
  }
  for (Format f : {Format::kAuto, Format::kEdn, Format::kJepsenLog, Format::kJsonLines}) {
    auto h = parse_history(text, ReadOptions{f});
    if (h.ok()) (void)history_to_jsonl(*h);
  }
  return 0;
}
