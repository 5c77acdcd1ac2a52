// The message diagram page (/<workload>/<time>/messages): a window of the run's
// messages.tsv drawn by viz::render_diagram_page, with links to page through the rest.
//
// Query parameters choose the window:
//   at=<ms>            about kMaxDrawnMessages messages around that time (the focus line
//                      marks it);
//   from=<ms>&to=<ms>  the messages sent in that time range (the first kMaxDrawnMessages
//                      of them; a "later" link continues);
//   after=<id>         the messages sent after message <id>; before=<id> those before it.
// Without parameters the window is around the first anomaly (see run_page.h), else the
// first fault, else the start of the run. Every message of the run is reachable through
// the earlier/later links, and a page never holds more than kMaxDrawnMessages messages,
// so its size does not grow with the run. Faults from history.edn are shaded. Malformed
// lines of messages.tsv are skipped and counted on the page. The drawing is
// viz::render_diagram_page's: hovering a message (or its label) shows its endpoints, times
// and body from one table in the page, and a link ending in #m<id> opens the page at that
// message with its text shown.
#pragma once

#include <string>

#include "serve/http.h"

namespace squall::serve {

// `dir` holds messages.tsv; `query` is the request's raw query string.
Response render_message_page(const std::string& dir, const std::string& url_base, const std::string& query);

}  // namespace squall::serve
