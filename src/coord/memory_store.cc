#include "coord/memory_store.h"

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

StoreStatus MemoryStore::get_run(RunId run, RunRecord* out, Revision* revision) {
  auto it = runs_.find(run);
  if (it == runs_.end() || it->second.revision == 0) {
    *revision = 0;
    return StoreStatus::Ok;
  }
  *out = it->second.record;
  *revision = it->second.revision;
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* revision) {
  *revision = 0;
  auto it = runs_.find(run);
  if (it == runs_.end()) return StoreStatus::Ok;
  auto s = it->second.shards.find(shard);
  if (s == it->second.shards.end()) return StoreStatus::Ok;
  *out = s->second.record;
  *revision = s->second.revision;
  return StoreStatus::Ok;
}

StoreStatus MemoryStore::scan_shards(RunId run, ShardVisitor* visitor) {
  auto it = runs_.find(run);
  if (it == runs_.end()) return StoreStatus::Ok;
  for (const auto& [id, slot] : it->second.shards) {
    if (!visitor->visit(slot.record, slot.revision)) break;
  }
  return StoreStatus::Ok;
}

Revision MemoryStore::current(const Guard& g) const {
  auto it = runs_.find(g.run);
  if (it == runs_.end()) return 0;
  if (g.is_run) return it->second.revision;
  auto s = it->second.shards.find(g.shard);
  return s == it->second.shards.end() ? 0 : s->second.revision;
}

bool MemoryStore::guards_hold(const Txn& txn) const {
  for (const auto& g : txn.guards) {
    if (current(g) != g.expected) return false;
  }
  return true;
}

StoreStatus MemoryStore::commit(const Txn& txn) {
  SQ_ASSERT_MSG(puts_guarded(txn), "every put must be guarded by a compare on its key");
  if (!guards_hold(txn)) return StoreStatus::Conflict;
  ++revision_;
  for (const auto& r : txn.run_puts) {
    RunSlot& slot = runs_[r.run];
    slot.record = r;
    slot.revision = revision_;
  }
  for (const auto& s : txn.shard_puts) {
    ShardSlot& slot = runs_[s.run].shards[s.id];
    slot.record = s;
    slot.revision = revision_;
  }
  return StoreStatus::Ok;
}

const RunRecord* MemoryStore::peek_run(RunId run) const {
  auto it = runs_.find(run);
  return it == runs_.end() || it->second.revision == 0 ? nullptr : &it->second.record;
}

const ShardRecord* MemoryStore::peek_shard(RunId run, ShardId shard) const {
  auto it = runs_.find(run);
  if (it == runs_.end()) return nullptr;
  auto s = it->second.shards.find(shard);
  return s == it->second.shards.end() ? nullptr : &s->second.record;
}

size_t MemoryStore::shard_count(RunId run) const {
  auto it = runs_.find(run);
  return it == runs_.end() ? 0 : it->second.shards.size();
}

}  // namespace squall::coord
