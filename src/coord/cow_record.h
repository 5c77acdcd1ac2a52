// CowRecord: a shard record planned copy-on-write.
//
// A plan reads the current record through get() and, at the point where it mutates,
// calls write(): that copies the current record into the output (unless they are
// already the same record) and returns the output to mutate. The Coordinator plans on a
// read-only view of the store's own record (RecordStore::view_shard), so the
// operations that are rejected or replayed — about 40% of them in the simulator —
// copy nothing, and the ones that write copy exactly what a read into the output would
// have copied. Planning directly on a record (the in-place form) is the case where
// current and output are the same. Not thread-safe (a view on two records).
#pragma once

#include "coord/records.h"
#include "core/assert.h"

namespace squall::coord {

class CowRecord {
 public:
  // Plans on `current`, writing into `out` only once the plan mutates.
  CowRecord(const ShardRecord* current, ShardRecord* out) : cur_(current), out_(out) {
    SQ_ASSERT(current != nullptr && out != nullptr);
  }
  // Plans on *r in place.
  explicit CowRecord(ShardRecord* r) : CowRecord(r, r) {}

  const ShardRecord& get() const { return *cur_; }
  // The record to mutate: the output, holding the current record's value on first use.
  ShardRecord* write() {
    if (cur_ != out_) {
      *out_ = *cur_;
      cur_ = out_;
    }
    return out_;
  }
  // True when the output holds the record's (possibly mutated) value.
  bool written() const { return cur_ == out_; }

 private:
  const ShardRecord* cur_;
  ShardRecord* out_;
};

}  // namespace squall::coord
