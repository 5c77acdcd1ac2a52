// RecordStore: the backend interface of the coordination model — versioned records
// with compare-and-swap transactions.
//
// This is the seam between the model and durable storage. A backend only stores
// records; it never interprets them. The Coordinator (coordinator.h) does
// read → validate (pure model) → CAS-commit against any RecordStore, so an etcd backend
// implements exactly the four pure virtual calls: get = range read returning
// mod_revision, scan = prefix range read, commit = a Txn whose compares are
// `mod_revision(key) == expected` (or `create_revision == 0` for "absent") and whose
// success branch puts the records. The other virtual calls are optional fast paths
// whose defaults are built on those four.
//
// Revision 0 means "absent". Every put's key must also be guarded (a blind write would
// defeat the compare-and-swap); commit asserts this. Implementations document their own
// thread-safety; callers must treat Indeterminate as "may or may not have happened".
#pragma once

#include <cstdint>
#include <vector>

#include "coord/records.h"
#include "coord/types.h"

namespace squall::coord {

using Revision = uint64_t;

enum class StoreStatus : uint8_t {
  Ok,
  Conflict,       // a guard failed: somebody else wrote first; re-read and retry
  Unavailable,    // nothing happened (read failed, or the commit was refused before applying)
  Indeterminate,  // the commit may or may not have been applied
};

const char* to_string(StoreStatus s);

// A compare: the record at this key must have this revision (0: must be absent).
struct Guard {
  RunId run = 0;
  bool is_run = false;  // the run record itself, not a shard
  ShardId shard = 0;
  Revision expected = 0;
};

struct Txn {
  std::vector<Guard> guards;
  std::vector<RunRecord> run_puts;  // at most one in practice
  std::vector<ShardRecord> shard_puts;

  void clear() {
    guards.clear();
    run_puts.clear();
    shard_puts.clear();
  }
};

// Receives shards in ascending id order; return false to stop the scan.
class ShardVisitor {
 public:
  virtual ~ShardVisitor() = default;
  virtual bool visit(const ShardRecord& record, Revision revision) = 0;
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // On Ok, *revision is 0 when the record is absent (and *out is untouched).
  virtual StoreStatus get_run(RunId run, RunRecord* out, Revision* revision) = 0;
  virtual StoreStatus get_shard(RunId run, ShardId shard, ShardRecord* out, Revision* revision) = 0;
  virtual StoreStatus scan_shards(RunId run, ShardVisitor* visitor) = 0;
  // All guards hold → all puts applied atomically under one new revision; else Conflict.
  virtual StoreStatus commit(const Txn& txn) = 0;

  // Optional fast paths; a backend that does not override them keeps the semantics
  // above (an etcd backend may ignore them). The Coordinator uses them because copying
  // whole records dominated the simulator's profile.
  //
  // Like get_run, but when the run's revision is still `have` (> 0), *out is taken to
  // be the caller's current copy of that revision and is left untouched.
  virtual StoreStatus get_run_if_changed(RunId run, Revision have, RunRecord* out, Revision* revision) {
    (void)have;
    return get_run(run, out, revision);
  }
  // Like get_shard, but may answer with a read-only view of the backend's own copy
  // instead of a copy. On Ok with *revision > 0, *view points at the record: into the
  // backend's memory, or at *scratch, which the default fills with get_shard (as an
  // etcd backend would: it decodes into the caller's buffer anyway). The view stays
  // valid until the next commit to this store or the next read into *scratch. The
  // Coordinator validates on the view and copies only when the op will write: about
  // 40% of the simulator's operations are rejections or replays that write nothing.
  virtual StoreStatus view_shard(RunId run, ShardId shard, ShardRecord* scratch, const ShardRecord** view,
                                 Revision* revision) {
    StoreStatus s = get_shard(run, shard, scratch, revision);
    *view = scratch;
    return s;
  }
  // Like commit, but the backend may move the records out of *txn when it applies
  // them (they are then valid but unspecified); on Conflict *txn is left intact.
  virtual StoreStatus commit_consuming(Txn* txn) { return commit(*txn); }
  // The lowest-id shard of the run that claim_next may hand out at now_ms (model.h's
  // claimable(): Active with no live lease), copied into *out with its revision;
  // *revision is 0 when there is none. The default scans every shard (as an etcd
  // backend would); MemoryStore keeps an index, because most claims in a simulation
  // find nothing and the scan of every record was an eighth of the whole run.
  virtual StoreStatus first_claimable(RunId run, int64_t now_ms, ShardRecord* out, Revision* revision);
};

// True when every put in txn is covered by a guard on the same key.
bool puts_guarded(const Txn& txn);

}  // namespace squall::coord
