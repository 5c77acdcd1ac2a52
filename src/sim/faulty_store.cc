#include "sim/faulty_store.h"

namespace squall::sim {

template <typename Commit>
coord::StoreStatus FaultyStore::faulty(Commit commit) {
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
        coord::StoreStatus s = commit();
        return s == coord::StoreStatus::Ok ? coord::StoreStatus::Indeterminate : s;
      }
      return coord::StoreStatus::Indeterminate;
    }
  }
  return commit();
}

coord::StoreStatus FaultyStore::commit(const coord::Txn& txn) {
  return faulty([&] { return inner_->commit(txn); });
}

coord::StoreStatus FaultyStore::commit_consuming(coord::Txn* txn) {
  return faulty([&] { return inner_->commit_consuming(txn); });
}

}  // namespace squall::sim
