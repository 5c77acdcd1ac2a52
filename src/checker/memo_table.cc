#include "checker/memo_table.h"

namespace squall::checker {

MemoTable::MemoTable() : slots_(1024), arena_(1, 0) { arena_.reserve(4096); }

bool MemoTable::insert(const LinearizedSet& set, uint32_t state) {
  uint64_t h = key_hash(set.hash(), state);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].offset != 0) {
    const Slot& s = slots_[i];
    if (s.hash == h && s.state == state && set.equals_encoding(&arena_[s.offset], s.words)) return false;
    i = (i + 1) & mask;
  }
  Slot& s = slots_[i];
  s.hash = h;
  s.state = state;
  s.offset = arena_.size();
  s.words = static_cast<uint32_t>(set.append_encoding(&arena_));
  if (++size_ * 2 > slots_.size()) grow();
  return true;
}

void MemoTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.offset == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].offset != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace squall::checker
