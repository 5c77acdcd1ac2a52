#include "coord/memory_store.h"

#include <algorithm>
#include <climits>
#include <type_traits>

#include "core/assert.h"

namespace squall::coord {

const char* to_string(StoreStatus s) {
  switch (s) {
    case StoreStatus::Ok: return "ok";
    case StoreStatus::Conflict: return "conflict";
    case StoreStatus::Unavailable: return "unavailable";
    case StoreStatus::Indeterminate: return "indeterminate";
  }
  return "?";
}

bool puts_guarded(const Txn& txn) {
  auto guarded = [&](RunId run, bool is_run, ShardId shard) {
    for (const auto& g : txn.guards) {
      if (g.run == run && g.is_run == is_run && (is_run || g.shard == shard)) return true;
    }
    return false;
  };
  for (const auto& r : txn.run_puts) {
    if (!guarded(r.run, true, 0)) return false;
  }
  for (const auto& s : txn.shard_puts) {
    if (!guarded(s.run, false, s.id)) return false;
  }
  return true;
}

const MemoryStore::RunSlot* MemoryStore::run_slot_lookup(RunId run) const {
  auto it = runs_.find(run);
  if (it == runs_.end()) return nullptr;
  last_run_ = run;
  last_slot_ = &it->second;
  return last_slot_;
}

uint32_t MemoryStore::find_lookup(const RunSlot& rs, ShardId shard) {
  auto it = rs.slot_of.find(shard);
  if (it == rs.slot_of.end()) return kNoSlot;
  rs.last_id = shard;
  rs.last_slot = it->second;
  return it->second;
}

uint32_t MemoryStore::find_or_create(RunSlot& rs, ShardId shard) {
  if (const uint32_t n = find(rs, shard); n != kNoSlot) return n;
  const auto slot = static_cast<uint32_t>(rs.shards.size());
  rs.slot_of.emplace(shard, slot);
  auto pos = std::lower_bound(rs.index.begin(), rs.index.end(), shard,
                              [](const IndexEntry& e, ShardId id) { return e.id < id; });
  rs.index.insert(pos, IndexEntry{shard, slot});
  rs.shards.emplace_back();
  rs.claimable_from_ms.push_back(INT64_MAX);
  return slot;
}

namespace {

// *dst = std::move(*src), except that the vector's buffer *dst held goes back to *src
// (emptied) instead of being freed: a consumed put is left valid but unspecified, and
// the Coordinator reads its next record into that same transaction slot, which then
// needs no allocation for its children or claim stamps.
template <typename Record, typename Vec>
void take_keeping_buffer(Record* dst, Record* src, Vec Record::*vec) {
  Vec spare = std::move(dst->*vec);
  *dst = std::move(*src);
  spare.clear();
  src->*vec = std::move(spare);
}

// See RunSlot: mirrors model.h's claimable() (Active, and no lease live at now).
int64_t claimable_from_ms(const ShardRecord& r) {
  if (r.status != ShardStatus::Active) return INT64_MAX;
  return r.lease.has_value() ? r.lease->deadline_ms : INT64_MIN;
}

}  // namespace

StoreStatus MemoryStore::first_claimable(RunId run, int64_t now_ms, ShardRecord* out, Revision* revision) {
  *revision = 0;
  RunSlot* rs = run_slot(run);
  if (rs == nullptr || now_ms < rs->claimable_floor_ms) return StoreStatus::Ok;  // nothing is claimable yet
  int64_t floor = INT64_MAX;
  for (const IndexEntry& e : rs->index) {
    const int64_t from = rs->claimable_from_ms[e.slot];
    if (now_ms < from) {
      floor = std::min(floor, from);
      continue;
    }
    const ShardSlot& s = rs->shards[e.slot];
    *out = s.record;
    *revision = s.revision;
    return StoreStatus::Ok;
  }
  rs->claimable_floor_ms = floor;  // every shard was seen: the floor is exact
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::get_run(RunId run, RunRecord* out, Revision* revision) {
  return get_run_if_changed(run, 0, out, revision);
}

StoreStatus MemoryStore::get_run_if_changed(RunId run, Revision have, RunRecord* out, Revision* revision) {
  const RunSlot* rs = run_slot(run);
  if (rs == nullptr || rs->revision == 0) {
    *revision = 0;
    return StoreStatus::Ok;
  }
  // Revisions are unique per commit, so an equal revision means an equal record.
  if (have == 0 || rs->revision != have) *out = rs->record;
  *revision = rs->revision;
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* revision) {
  const ShardRecord* view = nullptr;
  StoreStatus s = view_shard(run, shard, nullptr, &view, revision);
  if (*revision != 0) *out = *view;
  return s;
}

StoreStatus MemoryStore::view_shard(RunId run, ShardId shard, ShardRecord* /*scratch*/, const ShardRecord** view,
                                    Revision* revision) {
  *revision = 0;
  const RunSlot* rs = run_slot(run);
  if (rs == nullptr) return StoreStatus::Ok;
  const uint32_t n = find(*rs, shard);
  if (n == kNoSlot) return StoreStatus::Ok;
  const ShardSlot& slot = rs->shards[n];
  *view = &slot.record;
  *revision = slot.revision;
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::scan_shards(RunId run, ShardVisitor* visitor) {
  const RunSlot* rs = run_slot(run);
  if (rs == nullptr) return StoreStatus::Ok;
  for (const IndexEntry& e : rs->index) {
    const ShardSlot& s = rs->shards[e.slot];
    if (!visitor->visit(s.record, s.revision)) break;
  }
  return StoreStatus::Ok;
}

Revision MemoryStore::current(const Guard& g) const {
  const RunSlot* rs = run_slot(g.run);
  if (rs == nullptr) return 0;
  if (g.is_run) return rs->revision;
  const uint32_t n = find(*rs, g.shard);
  return n == kNoSlot ? 0 : rs->shards[n].revision;
}

bool MemoryStore::guards_hold(const Txn& txn) const {
  for (const auto& g : txn.guards) {
    if (current(g) != g.expected) return false;
  }
  return true;
}

MemoryStore::RunSlot& MemoryStore::slot_for_write(RunId run) {
  if (RunSlot* rs = run_slot(run)) return *rs;
  return runs_[run];
}

// Copies the records out of a const Txn, moves them out of a consumed one.
template <typename TxnRef>
StoreStatus MemoryStore::apply(TxnRef&& txn) {
  constexpr bool kMove = !std::is_const_v<std::remove_reference_t<TxnRef>>;
  SQ_ASSERT_MSG(puts_guarded(txn), "every put must be guarded by a compare on its key");
  if (!guards_hold(txn)) return StoreStatus::Conflict;
  if (observer_ != nullptr) observer_->before_commit(txn);
  ++revision_;
  for (auto& r : txn.run_puts) {
    RunSlot& slot = slot_for_write(r.run);
    if constexpr (kMove) {
      take_keeping_buffer(&slot.record, &r, &RunRecord::claims);
    } else {
      slot.record = r;
    }
    slot.revision = revision_;
  }
  for (auto& s : txn.shard_puts) {
    RunSlot& rs = slot_for_write(s.run);
    const uint32_t n = find_or_create(rs, s.id);
    set_claimable_from(rs, n, claimable_from_ms(s));
    ShardSlot* slot = &rs.shards[n];
    if constexpr (kMove) {
      take_keeping_buffer(&slot->record, &s, &ShardRecord::spawned);
    } else {
      slot->record = s;
    }
    slot->revision = revision_;
  }
  if (observer_ != nullptr) observer_->after_commit();
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::commit(const Txn& txn) { return apply(txn); }

StoreStatus MemoryStore::commit_consuming(Txn* txn) { return apply(*txn); }

const RunRecord* MemoryStore::peek_run(RunId run) const {
  const RunSlot* rs = run_slot(run);
  return rs == nullptr || rs->revision == 0 ? nullptr : &rs->record;
}

const ShardRecord* MemoryStore::peek_shard(RunId run, ShardId shard) const {
  const RunSlot* rs = run_slot(run);
  if (rs == nullptr) return nullptr;
  const uint32_t n = find(*rs, shard);
  return n == kNoSlot ? nullptr : &rs->shards[n].record;
}

size_t MemoryStore::shard_count(RunId run) const {
  const RunSlot* rs = run_slot(run);
  return rs == nullptr ? 0 : rs->index.size();
}

}  // namespace squall::coord
