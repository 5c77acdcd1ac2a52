// Checker: the simulator's external invariant checker.
//
// It watches every commit the backend really applies (FaultyStore → on_commit), keeps
// its own shadow of every record, and checks S1–S9, zombie rejection, at-most-once
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

#include "coord/ops.h"
#include "coord/records.h"
#include "sim/config.h"
#include "sim/faulty_store.h"
#include "sim/ground_truth.h"
#include "sim/stats.h"

namespace squall::sim {

class Checker final : public CommitObserver {
 public:
  Checker(const SimConfig& cfg, const GroundTruth* truth, const FindingsStore* findings, Stats* stats);

  // Context for the commits that follow: the request and the coordinator's `now`.
  void begin(const coord::Request* request, int64_t now_ms);
  void end() { request_ = nullptr; }
  void on_commit(const coord::Txn& txn) override;

  // An error the coordinator reported from its own record check (mutations only).
  void model_assertion(const char* what, int64_t now_ms);
  // End of the run: liveness and the final end-to-end comparison.
  void check_final(int64_t now_ms);

  bool failed() const { return !violations_.empty(); }
  const std::vector<Violation>& violations() const { return violations_; }

  // Shadow state, for the simulator's own bookkeeping (e.g. choosing targets).
  const std::vector<coord::ShardId>& shard_ids() const { return ids_; }
  const coord::ShardRecord* shard(coord::ShardId id) const;
  const std::optional<coord::RunRecord>& run() const { return run_; }
  bool all_finished() const;  // every shard Done or Split

 private:
  struct Shadow {
    coord::ShardRecord rec;
    std::array<coord::OpId, 16> recent_ops{};  // the last 16 op_ids applied, a ring
    uint8_t recent_size = 0;
    uint8_t recent_head = 0;
  };
  void fail(Invariant inv, std::string detail);
  void check_record(const coord::ShardRecord& r);
  void check_transition(const Shadow& before, const coord::ShardRecord& after);
  void check_new_shard(const coord::ShardRecord& r);
  void check_split_coverage(const coord::ShardRecord& parent);
  void check_leaf_tiling();
  void check_done_shard(const coord::ShardRecord& r);
  void note_op_applied(Shadow* s, coord::OpId op_id);

  const SimConfig* cfg_;
  const GroundTruth* truth_;
  const FindingsStore* findings_;
  Stats* stats_;
  const coord::Request* request_ = nullptr;
  int64_t now_ms_ = 0;
  std::unordered_map<coord::ShardId, Shadow> shards_;  // lookup only; order comes from ids_
  std::vector<coord::ShardId> ids_;                     // creation order
  std::optional<coord::RunRecord> run_;
  std::unordered_map<coord::WorkerId, int64_t> last_claim_ms_;
  std::vector<Violation> violations_;
};

}  // namespace squall::sim
