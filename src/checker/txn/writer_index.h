// WriterIndex: for a txn history, which transaction wrote each (key, value), where in it,
// and whether that was its last write of the key.
//
// The checker asks this once or more per value read: millions of times on a big history.
// Both workloads usually write each key's values as a short run of distinct integers
// (1, 2, 3, ...), so a key whose values are dense gets a direct array indexed by value
// minus the key's smallest: a lookup is two loads and no hashing. Keys with scattered
// values fall back to an open-addressing hash map. Entries live in one array in
// insertion order (history order), which also gives each write a dense id.
// Memory: 16 bytes per distinct write, plus 4 bytes per slot of the direct arrays (at
// most twice the writes of dense keys, plus a little per key). Not thread-safe for writing.
#pragma once

#include <cstdint>
#include <vector>

#include "checker/txn/flat_map.h"
#include "checker/txn/txn.h"

namespace squall::checker::txn {

constexpr uint32_t kNoTxn = UINT32_MAX;
constexpr uint32_t kNoPos = UINT32_MAX;  // Writer::pos when not in the key's version order

struct Writer {
  uint32_t txn = kNoTxn;
  uint32_t mop = 0;       // index of the write within its transaction
  uint32_t pos = kNoPos;  // list-append: position in the key's version order (set by the checker)
  bool last = false;      // the transaction's last write of the key
};

class WriterIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  WriterIndex() = default;
  // Indexes every write and append of h. The first transaction (in history order) to
  // write a (key, value) is its writer; within one transaction its last such write.
  explicit WriterIndex(const History& h);

  // Dense id of the entry for (key, value), or kNone. Inline: the checker's hottest call.
  uint32_t id(int32_t key, int64_t value) const {
    if (key < 0 || static_cast<size_t>(key) >= keys_meta_.size()) return kNone;
    const KeyMeta& k = keys_meta_[static_cast<size_t>(key)];
    if (k.sparse) {
      const uint32_t* p = hashed_.find(key, value);
      return p == nullptr ? kNone : *p;
    }
    const uint64_t off = static_cast<uint64_t>(value) - static_cast<uint64_t>(k.lo);
    return off < k.span ? direct_[k.base + off] : kNone;
  }
  const Writer* find(int32_t key, int64_t value) const {
    uint32_t i = id(key, value);
    return i == kNone ? nullptr : &entries_[i];
  }
  Writer* find(int32_t key, int64_t value) {
    uint32_t i = id(key, value);
    return i == kNone ? nullptr : &entries_[i];
  }

  size_t size() const { return entries_.size(); }
  const Writer& at(uint32_t id) const { return entries_[id]; }
  int32_t key_of(uint32_t id) const { return keys_[id]; }
  // Writes of a (key, value) already written by another transaction (not indexed).
  int64_t duplicates() const { return duplicates_; }

 private:
  void insert(int32_t key, int64_t value, const Writer& w);
  uint32_t* slot(int32_t key, int64_t value);

  std::vector<Writer> entries_;
  std::vector<int32_t> keys_;  // entry id -> key
  // Per key, in one place so that a lookup touches one cache line before direct_.
  struct KeyMeta {
    int64_t lo = 0;       // dense: smallest value written
    uint64_t base = 0;    // dense: first slot in direct_
    uint64_t span = 0;    // dense: slots (0 for a key nobody wrote)
    bool sparse = false;  // uses hashed_
  };
  std::vector<KeyMeta> keys_meta_;
  std::vector<uint32_t> direct_;  // entry ids of dense keys, kNone where unwritten
  KeyValueMap<uint32_t> hashed_;  // entry ids of sparse keys
  int64_t duplicates_ = 0;
};

}  // namespace squall::checker::txn
