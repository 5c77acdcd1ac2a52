#include "sim/faulty_store.h"

#include "core/assert.h"

namespace squall::sim {

// `commit` performs the inner commit (copying or consuming); the guards are checked
// first so that the observer only sees commits that really apply.
template <typename Commit>
coord::StoreStatus FaultyStore::apply(const coord::Txn& txn, Commit commit) {
  if (observer_ == nullptr || !inner_->guards_hold(txn)) return commit();
  observer_->before_commit(txn);
  coord::StoreStatus s = commit();
  SQ_ASSERT(s == coord::StoreStatus::Ok);
  observer_->after_commit();
  return s;
}

template <typename Commit>
coord::StoreStatus FaultyStore::faulty(const coord::Txn& txn, Commit commit) {
  if (faults_) {
    if (rng_.chance(plan_.commit_fail_ppm, kPpm)) {
      stats_->count_fault(Fault::CommitFailed);
      return coord::StoreStatus::Unavailable;
    }
    if (rng_.chance(plan_.commit_ambiguous_ppm, kPpm)) {
      stats_->count_fault(Fault::CommitAmbiguous);
      if (rng_.chance(1, 2)) {
        // Applied, but the acknowledgement is lost. A guard failure is still a plain
        // conflict: nothing was written, and the caller may learn that.
        coord::StoreStatus s = apply(txn, commit);
        return s == coord::StoreStatus::Ok ? coord::StoreStatus::Indeterminate : s;
      }
      return coord::StoreStatus::Indeterminate;
    }
  }
  return apply(txn, commit);
}

coord::StoreStatus FaultyStore::commit(const coord::Txn& txn) {
  return faulty(txn, [&] { return inner_->commit(txn); });
}

coord::StoreStatus FaultyStore::commit_consuming(coord::Txn* txn) {
  return faulty(*txn, [&] { return inner_->commit_consuming(txn); });
}

}  // namespace squall::sim
