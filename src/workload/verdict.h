// How a Verdict (src/core/verdict.h) appears in the result maps of the workload checkers:
// as the :valid? entry, true / false / :unknown, as in Jepsen.
#pragma once

#include <string>
#include <string_view>

#include "core/verdict.h"
#include "history/value.h"

namespace squall::workload {

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

}  // namespace squall::workload
