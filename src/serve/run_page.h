// The run page (/<workload>/<time>/): everything a reader needs to learn why a run passed
// or failed, on one page, built from whatever files the run directory holds.
//
// From top to bottom: the verdict in colour and the checkers that failed (with their
// non-zero counts); every anomaly of a failed checker with its first kExamplesShown
// examples, each linked to the operation in timeline.html (#op-<index>) and to the
// message diagram around its time (messages?at=<ms>#focus); the plots inline; the
// reproduce command with a copy button and the flags it sets; report.txt; other pages
// (a `squall check --html` explanation, the timeline); the node logs, the tail of each
// first; and the run's files. Nothing is required: a run killed before its results, a
// `squall cluster` run (results.edn and one directory per node) or a directory holding
// a history and a check explanation render through the same code, each section only
// when its files exist. Everything read from the run is escaped; big files are read only
// in part (results up to kMaxResultsBytes, logs by their tail).
#pragma once

#include <cstdint>
#include <string>

namespace squall::serve {

inline constexpr size_t kExamplesShown = 5;
inline constexpr size_t kMaxResultsBytes = 8u << 20;
inline constexpr size_t kLogTailBytes = 6000;

// `dir` is the run's directory on disk, `url_base` its URL path ("/broadcast/2024.../").
std::string render_run_page(const std::string& dir, const std::string& url_base);

class RunHistory;

// The time of the run's first anomaly example with a known time, in ns, or -1;
// `history` is the run's (see run_history.h).
int64_t first_anomaly_ns(const std::string& dir, const RunHistory& history);

// "true", "false", "unknown", or "incomplete" when the run has no results (yet).
std::string run_verdict(const std::string& dir);

}  // namespace squall::serve
