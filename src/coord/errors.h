// Typed errors of the coordination model and CoordResult<T>, a value or such an error.
//
// Errors are values: every rejection the model can produce has its own code so that
// callers (workers, the simulator, tests) can react precisely, and a short static
// explanation so that a human reading a log knows what to do. No allocation on the
// error path: the simulator produces millions of rejections.
#pragma once

#include <cstdint>

#include "core/result.h"

namespace squall::coord {

enum class CoordErrc : uint8_t {
  // Idempotency.
  OpIdConflict,  // op_id already used with a different payload
  // Lease validation (lease-gated ops), in priority order.
  TenantMismatch,
  ShardTerminal,
  StaleFence,  // fence differs, or no holder / another holder
  LeaseExpired,
  // Lookup and existence.
  RunNotFound,
  ShardNotFound,
  RunExists,
  ShardExists,
  // State preconditions.
  LeaseHeld,         // acquire: another worker's lease is live
  NotParked,         // unpark of a shard that is not Parked
  RunTerminal,       // run is Done
  RunNotFinished,    // finish_run with shards still Active or Parked
  ClaimCooldown,     // claim_next too soon after this worker's previous claim
  NoShardAvailable,  // claim_next found nothing claimable
  // Operation checks.
  CursorMissing,
  CursorRegression,
  CursorOutOfBounds,
  CursorTooLarge,
  SplitChildCount,
  SplitCoverage,
  ResidualCoverage,
  ResidualCursorOutside,
  InvalidSpec,
  SpecOverlap,
  DerivedIdNotAllowed,
  InvalidArgument,
  LimitExceeded,
  // Backend.
  Unavailable,    // the write certainly did not happen; safe to retry
  Indeterminate,  // the write may or may not have happened; retry idempotently
  Contention,     // compare-and-swap kept losing; retry later
};
inline constexpr int kCoordErrcCount = static_cast<int>(CoordErrc::Contention) + 1;

const char* to_string(CoordErrc code);

struct CoordError {
  CoordErrc code;
  const char* detail;  // static string: why, and what the caller can do
};

inline CoordError coord_error(CoordErrc code, const char* detail) { return CoordError{code, detail}; }

template <typename T>
using CoordResult = Result<T, CoordError>;

}  // namespace squall::coord
