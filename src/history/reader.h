// Reading histories from files in the formats Jepsen-style tools produce:
//   - EDN (Jepsen / Knossos): a vector of op maps, or one op map per line (the
//     Porcupine kv corpus uses this form, with a :key field);
//   - Jepsen console logs: lines `INFO jepsen.util - <process> <type> <f> <value>`,
//     tab- or space-separated; other log lines are ignored;
//   - JSON lines (Squall's own): one object per line with type, process, f, value and
//     optionally key, time.
// Nemesis ops and ops of non-integer processes are skipped. Reading streams the file.
// Every malformed input yields an error `file:line: what was expected`.
// Functions are thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "history/history.h"
#include "history/text_input.h"

namespace squall::history {

enum class Format { kAuto, kEdn, kJepsenLog, kJsonLines };

std::string_view to_string(Format f);                    // "auto", "edn", "jepsen-log", "jsonl"
std::optional<Format> format_from(std::string_view name);

struct ReadOptions {
  Format format = Format::kAuto;
  size_t line_bytes_max = 16u << 20;  // one log or JSON line
};

Result<History> read_history_file(const std::string& path, const ReadOptions& options = {});
Result<History> read_history(TextInput& in, const ReadOptions& options = {});
// Convenience for tests: parse text held in memory.
Result<History> parse_history(std::string_view text, const ReadOptions& options = {}, std::string name = "<string>");

// Builds an op from an EDN op map; nullopt (not an error) for ops to skip (nemesis).
Result<std::optional<Op>> op_from_edn(const Value& map);

}  // namespace squall::history
