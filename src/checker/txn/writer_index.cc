#include "checker/txn/writer_index.h"

#include <algorithm>
#include <limits>

namespace squall::checker::txn {

namespace {

// A key's values are dense when the direct array would have at most about two slots
// per write; the slack keeps tiny keys (a value or two) direct too.
bool dense(uint64_t span, uint64_t writes) { return span < 2 * writes + 64; }

}  // namespace

WriterIndex::WriterIndex(const History& h) : hashed_(16) {
  const size_t nkeys = h.keys.size();
  std::vector<int64_t> lo(nkeys, std::numeric_limits<int64_t>::max());
  std::vector<int64_t> hi(nkeys, std::numeric_limits<int64_t>::min());
  std::vector<uint64_t> writes(nkeys, 0);
  size_t total = 0;
  for (const Mop& m : h.mops) {
    if (m.f == MopF::kRead || m.key < 0 || static_cast<size_t>(m.key) >= nkeys) continue;
    const auto k = static_cast<size_t>(m.key);
    lo[k] = std::min(lo[k], m.value);
    hi[k] = std::max(hi[k], m.value);
    ++writes[k];
    ++total;
  }
  keys_meta_.assign(nkeys, KeyMeta{});
  size_t hashed = 0;
  uint64_t slots = 0;
  for (size_t k = 0; k < nkeys; ++k) {
    if (writes[k] == 0) continue;
    KeyMeta& meta = keys_meta_[k];
    const uint64_t span = static_cast<uint64_t>(hi[k]) - static_cast<uint64_t>(lo[k]) + 1;  // wraps only when huge
    if (span == 0 || !dense(span, writes[k])) {
      meta.sparse = true;
      hashed += writes[k];
      continue;
    }
    meta = KeyMeta{lo[k], slots, span, false};
    slots += span;
  }
  direct_.assign(slots, kNone);
  if (hashed > 0) hashed_ = KeyValueMap<uint32_t>(hashed);
  entries_.reserve(total);
  keys_.reserve(total);
  std::vector<int32_t> seen;
  for (uint32_t t = 0; t < h.txns.size(); ++t) {
    const Txn& x = h.txns[t];
    seen.clear();
    // Backwards, so the first write met of each key is the transaction's last.
    for (uint32_t i = x.mops_len; i-- > 0;) {
      const Mop& m = h.mops[x.mops_at + i];
      if (m.f == MopF::kRead || m.key < 0 || static_cast<size_t>(m.key) >= nkeys) continue;
      bool last = std::find(seen.begin(), seen.end(), m.key) == seen.end();
      if (last) seen.push_back(m.key);
      insert(m.key, m.value, Writer{t, i, kNoPos, last});
    }
  }
}

uint32_t* WriterIndex::slot(int32_t key, int64_t value) {
  const KeyMeta& k = keys_meta_[static_cast<size_t>(key)];
  if (k.sparse) return hashed_.try_emplace(key, value, kNone).first;
  return &direct_[k.base + (static_cast<uint64_t>(value) - static_cast<uint64_t>(k.lo))];
}

void WriterIndex::insert(int32_t key, int64_t value, const Writer& w) {
  uint32_t* s = slot(key, value);
  if (*s != kNone) {
    if (entries_[*s].txn != w.txn) ++duplicates_;
    return;
  }
  *s = static_cast<uint32_t>(entries_.size());
  entries_.push_back(w);
  keys_.push_back(key);
}

}  // namespace squall::checker::txn
