// ItemSource: how the worker core reads the items of a key range.
//
// The core never touches storage itself: it asks for a page of item keys and for the
// secrets in one item. The simulator plugs in its ground truth; a real worker plugs in
// the deterministic Corpus (worker/corpus.h) or, later, a real data source. Calls are
// synchronous and must be deterministic for a given state. Not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "coord/types.h"
#include "worker/finding.h"

namespace squall::worker {

class ItemSource {
 public:
  virtual ~ItemSource() = default;
  // Appends to *keys, in ascending key order, at most `max` keys of items inside `range`
  // (start inclusive, end exclusive, an empty end unbounded) that are strictly greater
  // than `after` (no lower bound beyond the range when `after` is empty).
  virtual void list(const coord::KeyRange& range, std::string_view after, size_t max,
                    std::vector<std::string>* keys) = 0;
  // Appends the secrets found in item `key` to *out (none for an unknown key). Scanning
  // an item is "processing" it: at-least-once, so it may happen more than once.
  virtual void scan(std::string_view key, std::vector<Finding>* out) = 0;
};

}  // namespace squall::worker
