// CommitObserver: sees every commit a store really applies — the ground truth, even
// when the caller is told the outcome is unknown. The simulator's invariant checker is
// one. Implementations document their own thread-safety.
#pragma once

#include "coord/store.h"

namespace squall::coord {

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // Called just before `txn` is applied (its guards hold, so it will apply): the store
  // still shows the before-state, the txn holds the after-state.
  virtual void before_commit(const Txn& txn) = 0;
  // Called right after that commit was applied.
  virtual void after_commit() = 0;
};

}  // namespace squall::coord
