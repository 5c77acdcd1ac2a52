#include "coord/oplog.h"

#include "core/assert.h"

namespace squall::coord {

const OpLogEntry& OpLog::at(size_t i) const {
  SQ_ASSERT_LT(i, static_cast<size_t>(size_));
  return entries_[(head_ + i) % kOpLogCapacity];
}

const OpLogEntry* OpLog::find(OpId op_id) const {
  for (size_t i = 0; i < size_; ++i) {
    if (entries_[i].op_id == op_id) return &entries_[i];
  }
  return nullptr;
}

uint8_t OpLog::count_other(size_t skip, OpId op_id) const {
  // Every occupied slot, then the skipped one back out (it is occupied).
  SQ_ASSERT_LT(skip, static_cast<size_t>(size_));
  uint8_t n = 0;
  for (size_t i = 0; i < size_; ++i) n += static_cast<uint8_t>(entries_[i].op_id == op_id);
  return static_cast<uint8_t>(n - static_cast<uint8_t>(entries_[skip].op_id == op_id));
}

void OpLog::append(const OpLogEntry& e) {
  if (size_ < kOpLogCapacity) {
    const size_t slot = (head_ + size_) % kOpLogCapacity;
    entries_[slot] = e;
    ++size_;
    duplicate_pairs_ = static_cast<uint8_t>(duplicate_pairs_ + count_other(slot, e.op_id));
    return;
  }
  // The oldest entry leaves with its pairs (none when the log holds no duplicate); the
  // new one, in its slot, brings its own.
  if (duplicate_pairs_ != 0)
    duplicate_pairs_ = static_cast<uint8_t>(duplicate_pairs_ - count_other(head_, entries_[head_].op_id));
  entries_[head_] = e;  // overwrite the oldest, which becomes the newest
  duplicate_pairs_ = static_cast<uint8_t>(duplicate_pairs_ + count_other(head_, e.op_id));
  head_ = static_cast<uint8_t>((head_ + 1) % kOpLogCapacity);
}

bool OpLog::operator==(const OpLog& o) const {
  if (size_ != o.size_) return false;
  for (size_t i = 0; i < size_; ++i) {
    if (!(at(i) == o.at(i))) return false;
  }
  return true;
}

}  // namespace squall::coord
