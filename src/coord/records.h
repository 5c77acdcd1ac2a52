// ShardRecord and RunRecord: the persistent state of the coordination model.
//
// Value types (copied freely; not thread-safe). One record is one key in a backend
// (one etcd key in cluster mode). The record invariants (S4 of docs/coordination.md, plus
// cursor-in-bounds S6 and split bookkeeping) are checked by check_invariants(), which
// the coordinator runs after every mutation before persisting it.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coord/oplog.h"
#include "coord/types.h"

namespace squall::coord {

// How a derived shard came to be, recorded on its parent.
enum class SpawnKind : uint8_t { Child, Residual };

struct Spawned {
  ShardId id = 0;
  SpawnKind kind = SpawnKind::Child;
  bool operator==(const Spawned&) const = default;
};

struct ShardRecord {
  TenantId tenant = 0;
  RunId run = 0;
  ShardId id = 0;
  ShardStatus status = ShardStatus::Active;
  std::string park_reason;  // non-empty iff Parked
  KeyRange spec;
  Cursor cursor;  // empty last_key: no progress yet
  std::optional<Lease> lease;
  uint64_t fence = 1;             // >= 1; raised only by acquire and unpark
  std::optional<ShardId> parent;  // set iff the id is derived
  std::vector<Spawned> spawned;   // children (split_replace) and residuals
  OpLog op_log;

  ShardRef ref() const { return ShardRef{tenant, run, id}; }
  bool operator==(const ShardRecord&) const = default;
};

// Returns nullptr when `roots` can be a run's root ranges (at most kRootsPerRunMax,
// each well formed, sorted by start and disjoint), else a static description of the
// first rule broken.
const char* check_root_ranges(const std::vector<KeyRange>& roots);

// An immutable list of key ranges with value semantics whose copies share one buffer
// (assignment replaces the buffer, never edits it). A run record is copied on every
// claim — the claim stamp changes — and copying the root ranges' strings each time
// cost more than the rest of the claim; roots change only on registration. For the
// same reason the list is checked against the root rules once, when it is built, and
// the verdict is shared with it: the run record's invariant check, which runs on every
// claim, then costs no string comparisons for its roots.
class SharedRanges {
 public:
  SharedRanges() = default;
  SharedRanges(std::vector<KeyRange> v)  // NOLINT: implicit, like the vector it wraps
      : p_(v.empty() ? nullptr : std::make_shared<const Block>(std::move(v))) {}
  SharedRanges(std::initializer_list<KeyRange> il) : SharedRanges(std::vector<KeyRange>(il)) {}

  const std::vector<KeyRange>& vec() const { return p_ ? p_->ranges : empty_vec(); }
  size_t size() const { return p_ ? p_->ranges.size() : 0; }
  bool empty() const { return size() == 0; }
  const KeyRange& operator[](size_t i) const { return p_->ranges[i]; }
  std::vector<KeyRange>::const_iterator begin() const { return vec().begin(); }
  std::vector<KeyRange>::const_iterator end() const { return vec().end(); }
  void clear() { p_.reset(); }
  bool operator==(const SharedRanges& o) const { return p_ == o.p_ || vec() == o.vec(); }
  // check_root_ranges(vec()), computed when the list was built.
  const char* root_violation() const { return p_ ? p_->root_violation : nullptr; }

 private:
  struct Block {
    explicit Block(std::vector<KeyRange> v) : ranges(std::move(v)), root_violation(check_root_ranges(ranges)) {}
    const std::vector<KeyRange> ranges;
    const char* const root_violation;
  };
  static const std::vector<KeyRange>& empty_vec() {
    static const std::vector<KeyRange> kEmpty;
    return kEmpty;
  }
  std::shared_ptr<const Block> p_;
};

struct RunConfig {
  int64_t lease_duration_ms = 10'000;
  int64_t claim_cooldown_ms = 0;  // minimum gap between two claims by one worker
  bool operator==(const RunConfig&) const = default;
};

// The last successful claim_next of one worker, for the claim cooldown (S9).
struct ClaimStamp {
  WorkerId worker = 0;
  int64_t at_ms = 0;
  bool operator==(const ClaimStamp&) const = default;
};

struct RunRecord {
  TenantId tenant = 0;
  RunId run = 0;
  RunStatus status = RunStatus::Active;
  RunConfig config;
  SharedRanges roots;              // registered root ranges, sorted by start, disjoint
  uint64_t shard_count = 0;        // roots + derived shards, bounded by kShardsPerRunMax
  std::vector<ClaimStamp> claims;  // sorted by worker, bounded by kClaimStampsMax
  OpLog op_log;

  bool operator==(const RunRecord&) const = default;
};

// Returns nullptr when the record satisfies its invariants, else a static description
// of the first one violated.
const char* check_invariants(const ShardRecord& r);
const char* check_invariants(const RunRecord& r);

}  // namespace squall::coord
