// Checker: the simulator's external invariant checker.
//
// It watches every commit the backend really applies (FaultyStore → before_commit /
// after_commit): the before-state is what the store holds, the after-state is what the
// commit writes. It checks S1–S9, zombie rejection, at-most-once
// application of op_ids, and the end-to-end property (every item of a Done shard
// processed, every finding committed exactly once) against the ground truth. It
// deliberately shares no validation code with the model: it is written from the
// invariants, not from the implementation. The request being applied is given as
// context before the coordinator runs it. Not thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "coord/commit_observer.h"
#include "coord/memory_store.h"
#include "coord/ops.h"
#include "coord/records.h"
#include "sim/config.h"
#include "sim/faulty_store.h"
#include "sim/ground_truth.h"
#include "sim/stats.h"

namespace squall::sim {

class Checker final : public coord::CommitObserver {
 public:
  Checker(const SimConfig& cfg, const GroundTruth* truth, const FindingsStore* findings,
          const coord::MemoryStore* store, coord::RunId run, Stats* stats);

  // Context for the commits that follow: the request and the coordinator's `now`.
  void begin(const coord::Request* request, int64_t now_ms);
  void end() { request_ = nullptr; }
  void before_commit(const coord::Txn& txn) override;
  void after_commit() override;

  // An error the coordinator reported from its own record check (mutations only).
  void model_assertion(const char* what, int64_t now_ms);
  // A worker broke the lease rules (found by sim/conduct.h, which sees the network).
  void worker_conduct(std::string detail, int64_t now_ms);
  // End of the run: liveness and the final end-to-end comparison.
  void check_final(int64_t now_ms);

  // Audits of records read back from a backend after a run, where no commit was
  // observed (the gossip-worker end-to-end test reads them from etcd into `store`);
  // truth and findings may then be null. `ids` lists every shard of the run in the
  // store. check_records: S4 and S6 on every shard, S7's leaves tiling the roots, S8 (a
  // Done run leaves no shard Active or Parked). check_splits: S7's split coverage of
  // each Split shard — against its children as they were created, so the store must
  // hold each child's first version (a child's range shrinks when it hands off a
  // residual later).
  void check_records(const std::vector<coord::ShardId>& ids);
  void check_splits(const std::vector<coord::ShardId>& ids);
  // One change between two stored versions of a shard record, the request that made it
  // unknown: S1 (a grant, at the time its new deadline implies, while another worker's
  // lease was live), S2, S3 and S5, as for an observed commit. The kind of change is
  // read off the records: the op newly in the op-log, else a grant (a new fence or
  // holder) or a renewal.
  void check_version(const coord::ShardRecord& before, const coord::ShardRecord& after, int64_t lease_duration_ms);
  // One change between two stored versions of the run record: S8 (it never leaves
  // Done) and S9 (each claim stamp that changed is a claim, a cooldown after the last).
  void check_run_version(const coord::RunRecord& before, const coord::RunRecord& after);

  bool failed() const { return !violations_.empty(); }
  const std::vector<Violation>& violations() const { return violations_; }

  // Shards in creation order, and current records, for the simulator's bookkeeping.
  const std::vector<coord::ShardId>& shard_ids() const { return ids_; }
  const coord::ShardRecord* shard(coord::ShardId id) const;
  const coord::RunRecord* run() const;
  bool all_finished() const;  // every shard Done or Split
  // Kept up to date from the commits (so callers polling them need not scan): shards
  // now Parked, and shards neither Done nor Split.
  size_t parked_count() const { return parked_; }
  size_t unfinished_count() const { return unfinished_; }

 private:
  // The checker's own memory per shard: the op_ids it saw applied.
  struct Seen {
    std::array<coord::OpId, 16> recent_ops{};  // the last 16 op_ids applied, a ring
    uint8_t recent_size = 0;
    uint8_t recent_head = 0;
  };
  void fail(Invariant inv, std::string detail);
  void check_record(const coord::ShardRecord& r);
  void check_transition(const coord::ShardRecord& before, const coord::ShardRecord& after);
  void check_new_shard(const coord::ShardRecord& r);
  void check_split_coverage(const coord::ShardRecord& parent);
  void check_leaf_tiling();
  void check_done_shard(const coord::ShardRecord& r);
  void note_op_applied(Seen* s, coord::ShardId id, coord::OpId op_id);
  void note_claim(coord::WorkerId worker);

  const SimConfig* cfg_;
  const GroundTruth* truth_;
  const FindingsStore* findings_;
  Stats* stats_;
  const coord::Request* request_ = nullptr;
  bool request_known_ = true;  // false: request_ only stands for the kind (check_version)
  int64_t now_ms_ = 0;
  const coord::MemoryStore* store_;
  coord::RunId run_id_;
  std::unordered_map<coord::ShardId, Seen> seen_;  // lookup only; order comes from ids_
  std::vector<coord::ShardId> ids_;                // creation order
  // Set by before_commit for after_commit's whole-run checks.
  std::vector<coord::ShardId> pending_splits_;
  bool pending_ranges_changed_ = false;
  std::unordered_map<coord::WorkerId, int64_t> last_claim_ms_;
  std::vector<coord::KeyRange> roots_;       // the run's roots, sorted by start
  std::vector<uint64_t> root_end_prefixes_;  // key_prefix of each root's end
  bool roots_changed_ = true;                // roots_ must be refreshed
  // The leaf shards for check_leaf_tiling: a leaf's range (a pointer into the store,
  // stable while the record exists), and the first 8 bytes of its start as a
  // big-endian integer, which orders most pairs without comparing strings. Kept sorted
  // by start across commits; leaf_changes_ lists the shards a commit added or whose
  // range or split-ness it changed.
  struct Leaf {
    uint64_t prefix;
    const coord::KeyRange* range;
    coord::ShardId id;
  };
  static bool leaf_before(const Leaf& a, const Leaf& b);
  void update_leaves();
  std::vector<Leaf> leaves_;
  std::vector<coord::ShardId> leaf_changes_;
  std::vector<Violation> violations_;
  size_t parked_ = 0;
  size_t unfinished_ = 0;
};

}  // namespace squall::sim
