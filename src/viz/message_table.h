// messages.tsv: every message of a run, one line each, so that `squall serve` can draw
// any window of a run long after it ended (the journal itself lives only in memory).
//
// A first line "# squall messages v1" names the format; then, in send order,
//   id <TAB> src <TAB> dest <TAB> send_ns <TAB> end_ns <TAB> fate <TAB> body
// with end_ns -1 for a message still in flight at the end, fate one of delivered,
// dropped, in-flight, and the body (clipped, possibly empty when the run kept no body for
// it) with backslash, tab, newline and carriage return written as \\, \t, \n, \r. Node
// names are the harness's own and hold no tabs. parse_message_row() accepts any bytes:
// a malformed line is an error naming what is wrong, never a crash. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "viz/message_diagram.h"

namespace squall::viz {

inline constexpr std::string_view kMessageTableHeader = "# squall messages v1";

// One line, with its trailing newline.
std::string format_message_row(const DiagramMessage& m);

// One line, without its newline.
Result<DiagramMessage> parse_message_row(std::string_view line);

// Only the send time of a line, cheaply (for skipping to a window); nullopt when the
// line is malformed.
std::optional<int64_t> message_row_send_ns(std::string_view line);

}  // namespace squall::viz
