// Unique-ids checker: no id may be acknowledged twice.
//
// Input: how many generate requests were invoked and the ids of the acknowledged ones,
// in history order (the workload builds it from its recorded ops). Ids may be any JSON
// value; two ids are the same when their compact JSON text is (so 1 and "1" differ).
// Verdict: invalid if an id was acknowledged twice; unknown if requests were made but
// none succeeded (nothing to compare); valid otherwise, including an empty history (no
// request at all, as with --rate 0 in Maelstrom). Pure function of its input; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/value.h"

namespace squall::checker {

struct GeneratedId {
  std::string id;    // compact JSON text
  std::string node;  // the node that handed it out
};

struct UniqueIdsHistory {
  int64_t attempted = 0;                  // generate invocations
  std::vector<GeneratedId> acknowledged;  // ok completions, in history order
};

// The result map: :valid?, counts and up to 8 :duplicated examples (id, count, nodes).
history::Value check_unique_ids(const UniqueIdsHistory& history);

}  // namespace squall::checker
