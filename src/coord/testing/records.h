// Record builders for tests: a shard record of tenant 1, run 1 with the fields a tiling
// or split test varies. Header-only, so any test that already depends on coord can use
// it without linking coord's conformance suite.
#pragma once

#include <optional>

#include "coord/records.h"

namespace squall::coord::testing {

inline ShardRecord shard_record(ShardId id, const char* start, const char* end, ShardStatus status,
                                std::optional<ShardId> parent = std::nullopt) {
  ShardRecord r;
  r.tenant = 1;
  r.run = 1;
  r.id = id;
  r.spec = {start, end};
  r.status = status;
  r.parent = parent;
  return r;
}

}  // namespace squall::coord::testing
