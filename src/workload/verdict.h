// Verdict: a checker's answer (valid, invalid or unknown), and how it appears in result
// maps: as the :valid? entry, true / false / :unknown, as in Jepsen.
#pragma once

#include <string_view>

#include "history/value.h"

namespace squall::workload {

// Merged with false > unknown > true: one invalid part makes the whole invalid.
enum class Verdict { kValid, kUnknown, kInvalid };
Verdict merge(Verdict a, Verdict b);
std::string_view verdict_name(Verdict v);  // "valid", "unknown", "invalid"

// true / false / :unknown
history::Value verdict_value(Verdict v);
// Reads a Verdict from a result map's :valid? entry (absent = valid).
Verdict verdict_of(const history::Value& result);

}  // namespace squall::workload
