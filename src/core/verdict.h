// Verdict: a checker's answer — valid, invalid, or unknown (the checker could not decide,
// e.g. it ran out of its time or memory budget; never reported as invalid).
//
// The one verdict type of every checker: linearizability, the workload checkers, the
// harness's overall result. How a verdict appears in a result map (:valid? true / false /
// :unknown) is in src/checker/result_map.h.
#pragma once

#include <cstdint>
#include <string_view>

namespace squall {

enum class Verdict : uint8_t { kValid, kInvalid, kUnknown };

std::string_view to_string(Verdict v);  // "valid", "invalid", "unknown"

// Merged as Jepsen does, invalid > unknown > valid: one invalid part makes the whole
// invalid, and one undecided part makes an otherwise valid whole undecided.
Verdict merge(Verdict a, Verdict b);

}  // namespace squall
