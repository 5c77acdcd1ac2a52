// MemoryStore: the in-memory RecordStore — the executable specification's backend,
// used by the simulator and the unit tests.
//
// Revisions behave like etcd's: one global counter, bumped once per successful commit;
// every key written by that commit takes the new value. Shards are kept per run in id
// order so scans are ordered. Not thread-safe, not even for concurrent reads: a lookup
// cache is updated by const calls (the simulator is single-threaded; wrap the store in
// a mutex to share it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coord/commit_observer.h"
#include "coord/store.h"

namespace squall::coord {

class MemoryStore final : public RecordStore {
 public:
  MemoryStore() = default;
  // Not copyable: the run-slot cache points into this store's own map.
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  StoreStatus get_run(RunId run, RunRecord* out, Revision* revision) override;
  StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* revision) override;
  StoreStatus scan_shards(RunId run, ShardVisitor* visitor) override;
  StoreStatus commit(const Txn& txn) override;
  StoreStatus get_run_if_changed(RunId run, Revision have, RunRecord* out, Revision* revision) override;
  StoreStatus commit_consuming(Txn* txn) override;
  // Answers with a pointer to the stored record itself (never into *scratch).
  StoreStatus view_shard(RunId run, ShardId shard, ShardRecord* scratch, const ShardRecord** view,
                         Revision* revision) override;
  StoreStatus first_claimable(RunId run, int64_t now_ms, ShardRecord* out, Revision* revision) override;
  // True when every guard of txn holds now (commit would apply).
  bool guards_hold(const Txn& txn) const;
  // Told of every commit this store applies, once its guards have held (nullptr: none).
  // The store checks the guards once, so an observer costs no second check.
  void set_observer(CommitObserver* observer) { observer_ = observer; }

  // Direct read access for checkers and tests (no copy); nullptr when absent. The
  // pointer stays valid until the store is destroyed (records never move: the
  // simulator's checker keeps such pointers across commits).
  const RunRecord* peek_run(RunId run) const;
  const ShardRecord* peek_shard(RunId run, ShardId shard) const;
  Revision revision() const { return revision_; }
  size_t shard_count(RunId run) const;

 private:
  struct ShardSlot {
    ShardRecord record;
    Revision revision = 0;
  };
  struct IndexEntry {
    ShardId id;
    uint32_t slot;
  };
  // Shards live in a deque (stable addresses, appended on creation, never removed).
  // Point lookups go through a hash map (every operation does several); ordered scans
  // walk an id-sorted index, so creating a shard shifts small entries, not records.
  // claimable_from_ms[slot] caches what claim_next asks of a record: the shard is
  // claimable at `now` iff now >= it (INT64_MAX when not Active, the lease deadline
  // when leased, INT64_MIN otherwise), so first_claimable walks two flat arrays
  // instead of the records, and a commit updates it without searching the index.
  struct RunSlot {
    RunRecord record;
    Revision revision = 0;                          // 0 while only shards exist (cannot happen via Coordinator)
    std::vector<IndexEntry> index;                  // sorted by id
    std::unordered_map<ShardId, uint32_t> slot_of;  // lookup only; never iterated
    std::deque<ShardSlot> shards;
    std::vector<int64_t> claimable_from_ms;  // by slot
    // At most every claimable_from_ms (exact after a first_claimable that found
    // nothing): most claims find nothing, and while now is below it they need no scan.
    int64_t claimable_floor_ms = INT64_MAX;
    // The last shard looked up (a cache; see find()).
    mutable ShardId last_id = 0;
    mutable uint32_t last_slot = kNoSlot;
  };
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // Nearly every call asks for the same run (the simulator has one), so the last hit
  // is remembered; map nodes never move and runs are never erased.
  const RunSlot* run_slot(RunId run) const {
    if (last_slot_ != nullptr && last_run_ == run) return last_slot_;
    return run_slot_lookup(run);
  }
  RunSlot* run_slot(RunId run) { return const_cast<RunSlot*>(static_cast<const MemoryStore*>(this)->run_slot(run)); }
  const RunSlot* run_slot_lookup(RunId run) const;
  RunSlot& slot_for_write(RunId run);  // created if absent
  // The slot number of `shard`, or kNoSlot. One operation looks its shard up several
  // times (read, the guard checks of the faulty wrapper and of the commit, the put), so
  // the last hit is remembered; slots are never removed or renumbered.
  static uint32_t find(const RunSlot& rs, ShardId shard) {
    if (rs.last_slot != kNoSlot && rs.last_id == shard) return rs.last_slot;
    return find_lookup(rs, shard);
  }
  static uint32_t find_lookup(const RunSlot& rs, ShardId shard);
  // The slot number of `shard`, created if absent.
  static uint32_t find_or_create(RunSlot& rs, ShardId shard);
  static void set_claimable_from(RunSlot& rs, uint32_t slot, int64_t from_ms) {
    rs.claimable_from_ms[slot] = from_ms;
    if (from_ms < rs.claimable_floor_ms) rs.claimable_floor_ms = from_ms;
  }
  Revision current(const Guard& g) const;
  template <typename TxnRef>
  StoreStatus apply(TxnRef&& txn);

  std::map<RunId, RunSlot> runs_;
  Revision revision_ = 0;
  // The last run looked up (a cache; see run_slot()).
  mutable RunId last_run_ = 0;
  mutable const RunSlot* last_slot_ = nullptr;
  CommitObserver* observer_ = nullptr;
};

}  // namespace squall::coord
