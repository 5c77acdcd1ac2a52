// The per-process timeline of client operations (timeline.html).
//
// One row per client process, time flowing right; each operation is a bar from its
// invocation to its completion, coloured by outcome (ok green, fail red, info orange,
// never completed grey and reaching the end of the run), showing :f and the value on
// hover. Nemesis windows are shaded behind the rows. The document is self-contained
// (inline CSS, no scripts, no external resources) and written as well-formed XML, so
// it is also valid XHTML. At most kMaxBars operations are drawn (the page says so).
#pragma once

#include <cstddef>
#include <string>

#include "viz/op_span.h"

namespace squall::viz {

inline constexpr size_t kMaxBars = 20000;

std::string render_timeline(const Ops& ops, const std::string& title);

}  // namespace squall::viz
