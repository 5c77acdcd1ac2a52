#include "sim/faulty_store.h"

#include "core/assert.h"

namespace squall::sim {

coord::StoreStatus FaultyStore::apply(const coord::Txn& txn) {
  if (observer_ == nullptr || !inner_->guards_hold(txn)) return inner_->commit(txn);
  observer_->before_commit(txn);
  coord::StoreStatus s = inner_->commit(txn);
  SQ_ASSERT(s == coord::StoreStatus::Ok);
  observer_->after_commit();
  return s;
}

coord::StoreStatus FaultyStore::commit(const coord::Txn& txn) {
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
        coord::StoreStatus s = apply(txn);
        return s == coord::StoreStatus::Ok ? coord::StoreStatus::Indeterminate : s;
      }
      return coord::StoreStatus::Indeterminate;
    }
  }
  return apply(txn);
}

}  // namespace squall::sim
