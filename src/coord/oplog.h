// OpLog: the bounded log of a record's last mutations, for idempotent replay.
//
// Holds the last kOpLogCapacity successful mutations that carried an op_id, each with
// its kind and payload hash. A retry of a logged op_id with the same payload gets the
// cached (successful) result; with another payload it is an OpIdConflict. Only
// successes are logged: a rejected op changed nothing, so retrying it re-validates.
// Fixed capacity and no allocation, so records stay cheap to copy.
// Invariants: size() <= capacity; op_ids are unique (asserted by the record checks).
// The log counts its duplicate op_ids as entries come and go (two scans of at most 16
// ids per append), so that the uniqueness check run after every mutation is O(1)
// instead of comparing every pair of entries. Not thread-safe (a value type).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "coord/types.h"

namespace squall::coord {

inline constexpr size_t kOpLogCapacity = 16;

struct OpLogEntry {
  OpId op_id = 0;
  OpKind kind = OpKind::Checkpoint;
  uint64_t payload_hash = 0;
  bool operator==(const OpLogEntry&) const = default;
};
static_assert(std::is_trivially_copyable_v<OpLogEntry>, "OpLog copies entries with memcpy");

class OpLog {
 public:
  OpLog() = default;
  // Copies only the occupied slots: records are copied on every write, and most logs
  // are far from full. The free slots are never read.
  OpLog(const OpLog& o) { copy_from(o); }
  OpLog& operator=(const OpLog& o) {
    if (this != &o) copy_from(o);
    return *this;
  }

  size_t size() const { return size_; }
  // i-th entry, oldest first. Precondition: i < size().
  const OpLogEntry& at(size_t i) const;
  // i-th occupied slot in storage order, not age order, for scans that ignore order
  // (inline: the simulator's checker scans every log it sees). Precondition: i < size().
  const OpLogEntry& slot(size_t i) const { return entries_[i]; }
  // The entry with this op_id, or nullptr.
  const OpLogEntry* find(OpId op_id) const;
  // Appends, evicting the oldest entry when full.
  void append(const OpLogEntry& e);
  // True when no op_id appears twice.
  bool unique_ids() const { return duplicate_pairs_ == 0; }
  bool operator==(const OpLog& o) const;

 private:
  // Slots [0, size_) are occupied: head_ only moves once the log is full, so lookups
  // that do not care about order scan the array directly.
  std::array<OpLogEntry, kOpLogCapacity> entries_{};
  void copy_from(const OpLog& o) {
    std::memcpy(entries_.data(), o.entries_.data(), o.size_ * sizeof(OpLogEntry));
    head_ = o.head_;
    size_ = o.size_;
    duplicate_pairs_ = o.duplicate_pairs_;
  }
  // How many entries other than slot `skip` carry op_id.
  uint8_t count_other(size_t skip, OpId op_id) const;

  uint8_t head_ = 0;  // index of the oldest entry
  uint8_t size_ = 0;
  // Pairs of entries with equal op_ids (at most 16·15/2 = 120).
  uint8_t duplicate_pairs_ = 0;
};

}  // namespace squall::coord
