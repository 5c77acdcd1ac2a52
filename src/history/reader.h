// Reading histories from files in the formats Jepsen-style tools produce:
//   - EDN (Jepsen / Knossos): a vector of op maps, or one op map per line (the
//     Porcupine kv corpus uses this form, with a :key field);
//   - Jepsen console logs: lines `INFO jepsen.util - <process> <type> <f> <value>`,
//     tab- or space-separated; other log lines are ignored, but a line shaped like an op
//     (`<process> :invoke :f ...`) that does not come from that logger is an error;
//   - JSON lines (Squall's own): one object per line with type, process, f, value and
//     optionally key, time.
// Processes: an integer is a client. A keyword such as :nemesis (in JSON, a string that
// names one, "nemesis") is a non-client process; its ops are left out of the History, as
// linearizability concerns clients only (Knossos does the same), and counted in
// History::ignored_ops(). Any other process (nil, 1.5, "1", [0]) is an error: no op is
// ever dropped in silence.
// Every malformed input yields an error `file:line: what was expected`; so does input that
// is not a history at all (binary data, a text file without one op line, when the format
// was detected rather than chosen). Reading streams the file; nesting is bounded before
// any recursion (EdnLimits, kJsonDepthMax), so no input exhausts the stack.
// Budgets: when ReadOptions sets a time-out or a memory limit and reading exceeds it, the
// ops read so far come back with History::incomplete() saying why.
// Functions are thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "history/history.h"
#include "history/text_input.h"

namespace squall::history {

enum class Format { kAuto, kEdn, kJepsenLog, kJsonLines };

std::string_view to_string(Format f);  // "auto", "edn", "jepsen-log", "jsonl"
std::optional<Format> format_from(std::string_view name);

struct ReadOptions {
  Format format = Format::kAuto;
  size_t line_bytes_max = 16u << 20;  // one log or JSON line
  // Budgets, 0 = none. The time-out runs from the start of reading on `clock` (the
  // host's steady clock when null); the memory limit bounds History::memory_bytes() plus
  // the line being read.
  const Clock* clock = nullptr;
  uint64_t timeout_ms = 0;
  uint64_t memory_limit_bytes = 0;
};

Result<History> read_history_file(const std::string& path, const ReadOptions& options = {});
Result<History> read_history(TextInput& in, const ReadOptions& options = {});
// Convenience for tests: parse text held in memory.
Result<History> parse_history(std::string_view text, const ReadOptions& options = {}, std::string name = "<string>");

// Builds an op from an EDN op map; nullopt (not an error) for ops of non-client
// processes (:nemesis), which a History leaves out.
Result<std::optional<Op>> op_from_edn(const Value& map);

// The client a :process value names: the integer itself, nullopt for a non-client process
// (a keyword such as :nemesis, or a string naming one), an error for anything else.
Result<std::optional<int64_t>> client_process(const Value& process);

}  // namespace squall::history
