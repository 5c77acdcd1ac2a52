#include "sim/checker.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"

namespace squall::sim {

using coord::OpKind;
using coord::ShardRecord;
using coord::ShardStatus;

namespace {

bool in_range(const coord::KeyRange& r, const std::string& k) { return k >= r.start && (r.end.empty() || k < r.end); }

// Whether two entries of the log share an op_id. A 64-bit filter of hashed ids rules
// out almost every pair at once; only ids whose filter bit is already set are compared
// with the earlier entries. (Sorting a copy of the ids did the same job at four times
// the cost, on every commit.)
// a == b, given a's key_prefix: unequal prefixes settle it, and for keys of up to 8
// bytes equal prefixes and lengths do (the prefix holds the whole key).
bool same_key(uint64_t a_prefix, const std::string& a, const std::string& b) {
  if (a_prefix != coord::key_prefix(b) || a.size() != b.size()) return false;
  return a.size() <= 8 || a == b;
}

bool has_duplicate_op_id(const coord::OpLog& log) {
  std::array<coord::OpId, coord::kOpLogCapacity> ids{};
  const size_t n = std::min(log.size(), ids.size());
  uint64_t filter = 0;
  for (size_t i = 0; i < n; ++i) {
    const coord::OpId id = log.slot(i).op_id;
    const uint64_t bit = uint64_t{1} << ((id * 0x9e3779b97f4a7c15ULL) >> 58);
    if ((filter & bit) != 0 &&
        std::find(ids.begin(), ids.begin() + static_cast<long>(i), id) != ids.begin() + static_cast<long>(i))
      return true;
    filter |= bit;
    ids[i] = id;
  }
  return false;
}

std::string id_str(coord::ShardId id) {
  return coord::is_derived(id) ? fmt::format("d{:x}", id & ~coord::kDerivedBit & 0xffffff) : fmt::format("{}", id);
}

}  // namespace

Checker::Checker(const SimConfig& cfg, const GroundTruth* truth, const FindingsStore* findings,
                 const coord::MemoryStore* store, coord::RunId run, Stats* stats)
    : cfg_(&cfg), truth_(truth), findings_(findings), stats_(stats), store_(store), run_id_(run) {}

void Checker::begin(const coord::Request* request, int64_t now_ms) {
  request_ = request;
  now_ms_ = now_ms;
}

void Checker::fail(Invariant inv, std::string detail) {
  ++stats_->violations[static_cast<size_t>(inv)];
  violations_.push_back(Violation{inv, now_ms_, std::move(detail)});
}

const ShardRecord* Checker::shard(coord::ShardId id) const { return store_->peek_shard(run_id_, id); }

const coord::RunRecord* Checker::run() const { return store_->peek_run(run_id_); }

bool Checker::all_finished() const {
  for (coord::ShardId id : ids_) {
    ShardStatus s = shard(id)->status;
    if (s != ShardStatus::Done && s != ShardStatus::Split) return false;
  }
  return true;
}

void Checker::model_assertion(const char* what, int64_t now_ms) {
  now_ms_ = now_ms;
  fail(Invariant::ModelAssertion, what);
}

void Checker::worker_conduct(std::string detail, int64_t now_ms) {
  now_ms_ = now_ms;
  fail(Invariant::WorkerConduct, std::move(detail));
}

// S4 and S6 on one record, written from the invariant list.
void Checker::check_record(const ShardRecord& r) {
  stats_->count_check(Invariant::S4RecordInvariants);
  stats_->count_check(Invariant::S6CursorInBounds);
  // The name is only formatted on failure: formatting it for every passing check cost
  // more than the checks themselves.
  auto who = [&r] { return id_str(r.id); };
  if ((r.status == ShardStatus::Parked) != !r.park_reason.empty())
    fail(Invariant::S4RecordInvariants, "shard " + who() + ": park_reason set iff Parked is broken");
  if (r.status != ShardStatus::Active && r.lease.has_value())
    fail(Invariant::S4RecordInvariants, "shard " + who() + ": terminal shard holds a lease");
  if (r.fence < 1) fail(Invariant::S4RecordInvariants, "shard " + who() + ": fence below 1");
  if (r.status == ShardStatus::Split && r.spawned.empty())
    fail(Invariant::S4RecordInvariants, "shard " + who() + ": Split without spawned children");
  if (coord::is_derived(r.id) != r.parent.has_value())
    fail(Invariant::S4RecordInvariants, "shard " + who() + ": parent set iff derived id is broken");
  if (r.op_log.size() > coord::kOpLogCapacity || has_duplicate_op_id(r.op_log))
    fail(Invariant::S4RecordInvariants, "shard " + who() + ": op-log unbounded or holds a duplicate op_id");
  if (!r.cursor.last_key.empty() && !in_range(r.spec, r.cursor.last_key))
    fail(Invariant::S6CursorInBounds,
         fmt::format("shard {}: cursor {} outside [{}, {})", who(), r.cursor.last_key, r.spec.start, r.spec.end));
}

void Checker::check_transition(const ShardRecord& before, const ShardRecord& after) {
  const OpKind kind = coord::kind_of(*request_);
  auto who = [&after] { return id_str(after.id); };  // formatted on failure only
  const char* op = coord::to_string(kind);

  // Zombie rejection: a lease-gated write must come from the current holder, with the
  // current fence, before the deadline.
  if (const coord::LeaseToken* l = request_known_ ? coord::lease_of(*request_) : nullptr;
      l != nullptr && l->ref.shard == after.id) {
    stats_->count_check(Invariant::ZombieRejection);
    const bool holder = before.lease.has_value() && before.lease->owner == l->owner;
    if (l->fence != before.fence || !holder || !before.lease->live_at(now_ms_)) {
      fail(Invariant::ZombieRejection,
           fmt::format("{} on shard {} by worker {} with fence {} was applied; record fence {}, holder {}, {}", op,
                       who(), l->owner, l->fence, before.fence,
                       before.lease ? fmt::format("{}", before.lease->owner) : std::string("none"),
                       before.lease && before.lease->live_at(now_ms_) ? "live" : "expired"));
    }
  }
  // S1: a new grant while another worker's lease is live.
  stats_->count_check(Invariant::S1MutualExclusion);
  const bool new_grant = after.lease.has_value() &&
                         (after.fence != before.fence || !before.lease || before.lease->owner != after.lease->owner);
  if (new_grant && before.lease.has_value() && before.lease->live_at(now_ms_) &&
      before.lease->owner != after.lease->owner) {
    fail(Invariant::S1MutualExclusion,
         fmt::format("shard {}: worker {} granted a lease while worker {}'s lease is live until {}ms", who(),
                     after.lease->owner, before.lease->owner, before.lease->deadline_ms));
  }
  // S2: fences never decrease, and only acquire, claim_next and unpark raise them.
  stats_->count_check(Invariant::S2FenceMonotonic);
  if (after.fence < before.fence) {
    fail(Invariant::S2FenceMonotonic,
         fmt::format("shard {}: fence fell from {} to {}", who(), before.fence, after.fence));
  } else if (after.fence != before.fence && kind != OpKind::Acquire && kind != OpKind::ClaimNext &&
             kind != OpKind::Unpark) {
    fail(Invariant::S2FenceMonotonic, fmt::format("shard {}: {} changed the fence", who(), op));
  }
  // S3: Done and Split are final; Parked → Active only by unpark, raising the fence.
  stats_->count_check(Invariant::S3TerminalIrreversible);
  if ((before.status == ShardStatus::Done || before.status == ShardStatus::Split) &&
      (after.status != before.status || after.cursor != before.cursor || !(after.spec == before.spec))) {
    fail(Invariant::S3TerminalIrreversible,
         fmt::format("shard {}: {} shard changed by {}", who(), coord::to_string(before.status), op));
  }
  if (before.status == ShardStatus::Parked && after.status != ShardStatus::Parked &&
      (kind != OpKind::Unpark || after.status != ShardStatus::Active || after.fence <= before.fence)) {
    fail(Invariant::S3TerminalIrreversible, fmt::format("shard {}: left Parked via {}", who(), op));
  }
  // S5: cursors never move backwards.
  stats_->count_check(Invariant::S5CursorMonotonic);
  if (!before.cursor.last_key.empty() && after.cursor.last_key < before.cursor.last_key) {
    fail(Invariant::S5CursorMonotonic, fmt::format("shard {}: cursor moved back from {} to {} by {}", who(),
                                                   before.cursor.last_key, after.cursor.last_key, op));
  }
}

void Checker::note_op_applied(Seen* s, coord::ShardId id, coord::OpId op_id) {
  stats_->count_check(Invariant::ExactlyOnceOps);
  for (uint8_t i = 0; i < s->recent_size; ++i) {
    if (s->recent_ops[(s->recent_head + i) % s->recent_ops.size()] == op_id) {
      fail(Invariant::ExactlyOnceOps, fmt::format("shard {}: op {:x} ({}) applied twice", id_str(id), op_id,
                                                  coord::to_string(coord::kind_of(*request_))));
      return;
    }
  }
  if (s->recent_size < s->recent_ops.size()) {
    s->recent_ops[(s->recent_head + s->recent_size) % s->recent_ops.size()] = op_id;
    ++s->recent_size;
  } else {
    s->recent_ops[s->recent_head] = op_id;
    s->recent_head = static_cast<uint8_t>((s->recent_head + 1) % s->recent_ops.size());
  }
}

void Checker::check_new_shard(const ShardRecord& r) {
  check_record(r);
  stats_->count_check(Invariant::S2FenceMonotonic);
  if (r.status != ShardStatus::Active || r.lease.has_value() || r.fence != 1)
    fail(Invariant::S2FenceMonotonic,
         "shard " + id_str(r.id) + ": created in a state other than Active, unleased, fence 1");
}

void Checker::check_split_coverage(const ShardRecord& parent) {
  stats_->count_check(Invariant::S7SplitCoverage);
  std::vector<coord::KeyRange> kids;
  for (const auto& s : parent.spawned) {
    if (s.kind != coord::SpawnKind::Child) continue;
    const ShardRecord* c = shard(s.id);
    if (c == nullptr) {
      fail(Invariant::S7SplitCoverage, "shard " + id_str(parent.id) + ": child " + id_str(s.id) + " does not exist");
      return;
    }
    if (c->parent != parent.id) {
      fail(Invariant::S7SplitCoverage, "shard " + id_str(s.id) + ": does not point back to its parent");
      return;
    }
    kids.push_back(c->spec);
  }
  std::sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  bool ok = !kids.empty() && kids.front().start == parent.spec.start && kids.back().end == parent.spec.end;
  for (size_t i = 0; ok && i + 1 < kids.size(); ++i) ok = !kids[i].end.empty() && kids[i].end == kids[i + 1].start;
  if (!ok) {
    std::string layout;
    for (const auto& k : kids) layout += fmt::format(" [{}, {})", k.start, k.end);
    fail(Invariant::S7SplitCoverage, fmt::format("shard {} [{}, {}): children do not tile it:{}", id_str(parent.id),
                                                 parent.spec.start, parent.spec.end, layout));
  }
}

// Keeps leaves_ (the non-Split shards, sorted by start) in step with the commit just
// applied: only the shards whose range or split-ness changed are taken out and put
// back in order. Rebuilding and sorting the whole list on every range change cost more
// than the coordinator's own work for the commit.
void Checker::update_leaves() {
  if (leaf_changes_.empty()) return;
  std::erase_if(leaves_, [this](const Leaf& l) {
    return std::find(leaf_changes_.begin(), leaf_changes_.end(), l.id) != leaf_changes_.end();
  });
  for (coord::ShardId id : leaf_changes_) {
    const ShardRecord& rec = *shard(id);
    if (rec.status == ShardStatus::Split) continue;
    const Leaf leaf{coord::key_prefix(rec.spec.start), &rec.spec, id};
    leaves_.insert(std::upper_bound(leaves_.begin(), leaves_.end(), leaf, leaf_before), leaf);
  }
  leaf_changes_.clear();
}

// Equal prefixes fall back to the full comparison, so this orders exactly like
// comparing the start strings (ties, which only a broken protocol produces, by id).
bool Checker::leaf_before(const Leaf& a, const Leaf& b) {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  const int c = a.range->start.compare(b.range->start);
  return c != 0 ? c < 0 : a.id < b.id;
}

// Across the run, the leaves (non-Split shards) tile the union of the roots. Works on
// pointers into the store (nothing changes during the check) and on the checker's own
// sorted copy of the roots, refreshed only when the run record's roots change: copying
// and sorting strings here used to cost more than the coordinator's work.
void Checker::check_leaf_tiling() {
  stats_->count_check(Invariant::S7SplitCoverage);
  const coord::RunRecord* r = run();
  if (r == nullptr) return;
  if (roots_changed_) {
    roots_ = r->roots.vec();
    std::sort(roots_.begin(), roots_.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    root_end_prefixes_.clear();
    for (const auto& root : roots_) root_end_prefixes_.push_back(coord::key_prefix(root.end));
    roots_changed_ = false;
  }
  // Walk both lists; within each maximal contiguous stretch of roots the leaves must
  // follow each other without gap or overlap. Keys are compared by their prefixes
  // first (see coord::key_prefix); the strings only when the prefixes cannot decide.
  size_t li = 0;
  for (size_t ri = 0; ri < roots_.size(); ++ri) {
    const coord::KeyRange& root = roots_[ri];
    const uint64_t end_prefix = root_end_prefixes_[ri];
    auto before_end = [&](const Leaf& l) {
      if (root.end.empty()) return true;
      return l.prefix != end_prefix ? l.prefix < end_prefix : l.range->start < root.end;
    };
    const std::string* pos = &root.start;
    while (li < leaves_.size() && before_end(leaves_[li])) {
      if (!same_key(leaves_[li].prefix, leaves_[li].range->start, *pos)) {
        fail(Invariant::S7SplitCoverage,
             fmt::format("leaf shards leave a gap or overlap at {} (next leaf starts at {})", *pos,
                         leaves_[li].range->start));
        return;
      }
      pos = &leaves_[li].range->end;
      ++li;
      if (pos->empty()) break;
    }
    if (*pos != root.end) {
      fail(Invariant::S7SplitCoverage,
           fmt::format("leaf shards do not reach the root end {} (stop at {})", root.end, *pos));
      return;
    }
  }
  if (li != leaves_.size()) fail(Invariant::S7SplitCoverage, "a leaf shard lies outside every root range");
}

void Checker::check_done_shard(const ShardRecord& r) {
  stats_->count_check(Invariant::EndToEnd);
  auto [lo, hi] = truth_->within(r.spec);
  for (size_t i = lo; i < hi; ++i) {
    const Item& item = truth_->items()[i];
    if (truth_->processed(i) == 0) {
      fail(Invariant::EndToEnd,
           fmt::format("shard {} is Done but item {} was never processed", id_str(r.id), item.key));
      return;
    }
    if (item.finding && findings_->copies(i) != 1) {
      fail(Invariant::EndToEnd, fmt::format("shard {} is Done but the finding of {} is committed {} times",
                                            id_str(r.id), item.key, findings_->copies(i)));
      return;
    }
  }
}

void Checker::before_commit(const coord::Txn& txn) {
  SQ_ASSERT_MSG(request_ != nullptr, "commit outside a request");
  const OpKind kind = coord::kind_of(*request_);
  const coord::ShardId target = coord::target_shard(*request_);
  const coord::OpId op_id = coord::op_id_of(*request_);
  const coord::RunRecord* run_before = run();
  pending_splits_.clear();
  pending_ranges_changed_ = false;

  for (const auto& run : txn.run_puts) {
    stats_->count_check(Invariant::S8RunTerminal);
    if (run_before && run_before->status == coord::RunStatus::Done && run.status != coord::RunStatus::Done)
      fail(Invariant::S8RunTerminal, "the run left Done");
    // Run records share their root list until registration replaces it, so this is a
    // pointer comparison for every other operation (a claim writes the run record).
    if (!run_before || run_before->roots != run.roots) {
      pending_ranges_changed_ = true;
      roots_changed_ = true;
    }
  }
  for (const auto& rec : txn.shard_puts) {
    stats_->count_check(Invariant::S8RunTerminal);
    if (run_before && run_before->status == coord::RunStatus::Done)
      fail(Invariant::S8RunTerminal, "shard " + id_str(rec.id) + " changed after the run finished");
    const ShardRecord* before = shard(rec.id);
    auto finished = [](ShardStatus s) { return s == ShardStatus::Done || s == ShardStatus::Split; };
    if (before != nullptr) {
      parked_ -= before->status == ShardStatus::Parked ? 1 : 0;
      unfinished_ -= finished(before->status) ? 0 : 1;
    }
    parked_ += rec.status == ShardStatus::Parked ? 1 : 0;
    unfinished_ += finished(rec.status) ? 0 : 1;
    if (before == nullptr) {
      check_new_shard(rec);
      seen_.emplace(rec.id, Seen{});
      ids_.push_back(rec.id);
      leaf_changes_.push_back(rec.id);
      pending_ranges_changed_ = true;
      continue;
    }
    check_transition(*before, rec);
    check_record(rec);
    const bool spec_changed = !(rec.spec == before->spec);
    if (spec_changed) pending_ranges_changed_ = true;
    if (spec_changed || (rec.status == ShardStatus::Split) != (before->status == ShardStatus::Split))
      leaf_changes_.push_back(rec.id);
    if (rec.status == ShardStatus::Split && before->status != ShardStatus::Split) pending_splits_.push_back(rec.id);
    if (rec.status == ShardStatus::Done && before->status != ShardStatus::Done) check_done_shard(rec);
    const bool logged_kind = kind == OpKind::Checkpoint || kind == OpKind::Complete || kind == OpKind::Park ||
                             kind == OpKind::SplitReplace || kind == OpKind::SplitResidual || kind == OpKind::Unpark;
    if (logged_kind && rec.id == target) note_op_applied(&seen_[rec.id], rec.id, op_id);
  }
  if (kind == OpKind::ClaimNext) note_claim(std::get<coord::ClaimNextOp>(*request_).worker);
}

// S9: a worker's successful claims (at now_ms_) are a cooldown apart.
void Checker::note_claim(coord::WorkerId worker) {
  stats_->count_check(Invariant::S9ClaimCooldown);
  auto it = last_claim_ms_.find(worker);
  if (it != last_claim_ms_.end() && now_ms_ < it->second + cfg_->claim_cooldown_ms)
    fail(Invariant::S9ClaimCooldown, fmt::format("worker {} claimed at {}ms, {}ms after its previous claim", worker,
                                                 now_ms_, now_ms_ - it->second));
  last_claim_ms_[worker] = now_ms_;
}

// Whole-run checks that need every record of the commit in place.
void Checker::after_commit() {
  for (coord::ShardId p : pending_splits_) check_split_coverage(*shard(p));
  update_leaves();
  if (pending_ranges_changed_) check_leaf_tiling();
}

void Checker::check_final(int64_t now_ms) {
  now_ms_ = now_ms;
  stats_->count_check(Invariant::Liveness);
  for (coord::ShardId id : ids_) {
    const ShardRecord& r = *shard(id);
    if (r.status != ShardStatus::Done && r.status != ShardStatus::Split) {
      fail(Invariant::Liveness,
           fmt::format("shard {} is still {} after the liveness phase", id_str(id), coord::to_string(r.status)));
      return;
    }
  }
  if (run() == nullptr || run()->status != coord::RunStatus::Done) {
    fail(Invariant::Liveness, "the run did not finish after the liveness phase");
    return;
  }
  stats_->count_check(Invariant::EndToEnd);
  const auto& items = truth_->items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (truth_->processed(i) == 0) {
      fail(Invariant::EndToEnd, "item " + items[i].key + " was never processed");
      return;
    }
    const uint32_t want = items[i].finding ? 1 : 0;
    if (findings_->copies(i) != want) {
      fail(Invariant::EndToEnd, fmt::format("finding of {}: committed {} times, ground truth says {}", items[i].key,
                                            findings_->copies(i), want));
      return;
    }
  }
}

}  // namespace squall::sim

namespace squall::sim {

namespace {

// A request of this kind with default fields: stands for an unknown request's kind.
coord::Request request_of_kind(OpKind k) {
  switch (k) {
    case OpKind::CreateRun: return coord::CreateRunOp{};
    case OpKind::RegisterShards: return coord::RegisterShardsOp{};
    case OpKind::ClaimNext: return coord::ClaimNextOp{};
    case OpKind::Acquire: return coord::AcquireOp{};
    case OpKind::Renew: return coord::RenewOp{};
    case OpKind::Checkpoint: return coord::CheckpointOp{};
    case OpKind::Complete: return coord::CompleteOp{};
    case OpKind::Park: return coord::ParkOp{};
    case OpKind::SplitReplace: return coord::SplitReplaceOp{};
    case OpKind::SplitResidual: return coord::SplitResidualOp{};
    case OpKind::Unpark: return coord::UnparkOp{};
    case OpKind::FinishRun: return coord::FinishRunOp{};
  }
  SQ_UNREACHABLE("OpKind");
}

}  // namespace

void Checker::check_records(const std::vector<coord::ShardId>& ids) {
  const coord::RunRecord* r = run();
  for (coord::ShardId id : ids) {
    SQ_ASSERT_MSG(shard(id) != nullptr, "shard " << id_str(id) << " is not in the store");
    const ShardRecord& rec = *shard(id);
    if (std::find(ids_.begin(), ids_.end(), id) == ids_.end()) ids_.push_back(id);
    check_record(rec);
    leaf_changes_.push_back(id);
    stats_->count_check(Invariant::S8RunTerminal);
    if (r != nullptr && r->status == coord::RunStatus::Done && rec.status != ShardStatus::Done &&
        rec.status != ShardStatus::Split)
      fail(Invariant::S8RunTerminal,
           "shard " + id_str(id) + " is " + coord::to_string(rec.status) + " in a finished run");
  }
  roots_changed_ = true;
  update_leaves();
  check_leaf_tiling();
}

void Checker::check_splits(const std::vector<coord::ShardId>& ids) {
  for (coord::ShardId id : ids) {
    const ShardRecord* rec = shard(id);
    if (rec != nullptr && rec->status == ShardStatus::Split) check_split_coverage(*rec);
  }
}

void Checker::check_version(const ShardRecord& before, const ShardRecord& after, int64_t lease_duration_ms) {
  OpKind kind = OpKind::Renew;
  bool logged = false;
  for (size_t i = 0; i < after.op_log.size() && !logged; ++i) {
    const coord::OpLogEntry& e = after.op_log.at(i);
    if (before.op_log.find(e.op_id) == nullptr) {
      kind = e.kind;
      logged = true;
    }
  }
  const bool grant = after.lease.has_value() &&
                     (after.fence != before.fence || !before.lease || before.lease->owner != after.lease->owner);
  if (!logged && grant) kind = OpKind::Acquire;
  // A grant happened at its new deadline less the lease; anything else at the newest
  // moment the records show (only grants are judged by time).
  now_ms_ = grant ? after.lease->deadline_ms - lease_duration_ms : (after.lease ? after.lease->deadline_ms : 0);
  const coord::Request stand_in = request_of_kind(kind);
  request_ = &stand_in;
  request_known_ = false;
  check_transition(before, after);
  request_ = nullptr;
  request_known_ = true;
}

void Checker::check_run_version(const coord::RunRecord& before, const coord::RunRecord& after) {
  stats_->count_check(Invariant::S8RunTerminal);
  if (before.status == coord::RunStatus::Done && after.status != coord::RunStatus::Done)
    fail(Invariant::S8RunTerminal, "the run left Done");
  // A claim stamps the run record with its time: each changed stamp is one claim.
  for (const coord::ClaimStamp& a : after.claims) {
    auto b = std::find_if(before.claims.begin(), before.claims.end(),
                          [&](const coord::ClaimStamp& x) { return x.worker == a.worker; });
    if (b != before.claims.end() && b->at_ms == a.at_ms) continue;
    if (b != before.claims.end() && last_claim_ms_.find(a.worker) == last_claim_ms_.end())
      last_claim_ms_[a.worker] = b->at_ms;
    now_ms_ = a.at_ms;
    note_claim(a.worker);
  }
}

}  // namespace squall::sim
