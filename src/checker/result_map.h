// How a Verdict (src/core/verdict.h) appears in a checker's result map (the EDN map a
// checker returns and the store writes to results.edn): as the :valid? entry, true /
// false / :unknown, as in Jepsen. Used by the checkers here, the workloads' own checks
// and the harness's merged result.
#pragma once

#include <string>
#include <string_view>

#include "core/verdict.h"
#include "history/value.h"

namespace squall::checker {

// true / false / :unknown
history::Value verdict_value(Verdict v);

// An unknown verdict always says why, in the result map's :reason: a reader of the
// report must learn what stopped the check. Sets :valid? :unknown and :reason.
void set_unknown(history::Value* result, std::string reason);
// Why a result is unknown: its :reason, else its :error, else a note that none was
// recorded (a checker bug, but the report still names the part).
std::string unknown_reason(const history::Value& result);
// Reads a Verdict from a result map's :valid? entry (absent = valid).
Verdict verdict_of(const history::Value& result);

}  // namespace squall::checker
