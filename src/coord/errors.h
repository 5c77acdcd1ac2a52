// Typed errors of the coordination model and CoordResult<T>, a value or such an error.
//
// Errors are values: every rejection the model can produce has its own code so that
// callers (workers, the simulator, tests) can react precisely, and a short static
// explanation so that a human reading a log knows what to do. No allocation on the
// error path: the simulator produces millions of rejections.
#pragma once

#include <cstdint>
#include <utility>
#include <variant>

#include "core/assert.h"

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
class [[nodiscard]] CoordResult {
 public:
  // By reference, not by value: results carry whole records, and the extra move of a
  // by-value parameter showed in the simulator's profile.
  CoordResult(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  CoordResult(const T& value) : v_(std::in_place_index<0>, value) {}        // NOLINT: implicit by design
  CoordResult(CoordError error) : v_(error) {}                              // NOLINT: implicit by design
  // A default-constructed value, to be filled in place.
  explicit CoordResult(std::in_place_t) : v_(std::in_place_index<0>) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    SQ_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    SQ_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    SQ_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const CoordError& error() const {
    SQ_ASSERT(!ok());
    return std::get<1>(v_);
  }
  CoordErrc code() const { return error().code; }

 private:
  std::variant<T, CoordError> v_;
};

}  // namespace squall::coord
