#include "sim/faulty_store.h"

namespace squall::sim {

coord::StoreStatus FaultyStore::apply(const coord::Txn& txn) {
  coord::StoreStatus s = inner_->commit(txn);
  if (s == coord::StoreStatus::Ok && observer_ != nullptr) observer_->on_commit(txn);
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
