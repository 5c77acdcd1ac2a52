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

bool OpLog::unique_ids() const {
  for (size_t i = 0; i < size_; ++i) {
    for (size_t j = i + 1; j < size_; ++j) {
      if (entries_[i].op_id == entries_[j].op_id) return false;
    }
  }
  return true;
}

void OpLog::append(const OpLogEntry& e) {
  if (size_ < kOpLogCapacity) {
    entries_[(head_ + size_) % kOpLogCapacity] = e;
    ++size_;
    return;
  }
  entries_[head_] = e;  // overwrite the oldest, which becomes the newest
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
