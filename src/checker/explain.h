// Explanations of a linearizability verdict for people: a text report and a
// self-contained HTML page (inline CSS and SVG, no scripts or external assets).
//
// For an invalid key: the op that cannot be linearized, the longest linearizable prefix
// found, and the model states reached just before it; the HTML draws the key's ops on a
// time axis (one row per process), numbers the prefix in linearization order and
// highlights the failing op. For valid keys checked with want_linearization, the order.
// Output depends only on the history and the verdict, so it is deterministic.
// Functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "checker/linearizability.h"
#include "history/history.h"

namespace squall::checker {

// "#37 p2 :cas [0 3] -> :ok (lines 75-81)": an invocation and how it ended.
std::string describe_call(const history::History& h, size_t invoke);

// Multi-line text; prefix_shown_max bounds how many prefix ops are listed (the last ones).
std::string explain_text(const history::History& h, const LinearizabilityResult& v, size_t prefix_shown_max = 12);

// A whole HTML document titled `title`.
std::string explain_html(const history::History& h, const LinearizabilityResult& v, std::string_view title);

}  // namespace squall::checker
