// What the set workloads (set, lock-set, lock-fenced-set) share: the final read of the
// set's key on a node, the history as set-full's input, and the report's view of the
// lost elements.
#pragma once

#include <string>

#include "checker/set_full.h"
#include "cluster/etcd_session.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster {

// One :final read of the integer set in `key` through the session; the ok value is the
// JSON array of its elements.
void final_read(EtcdSession& s, const std::string& key);

// Adds (:f add_f, value the element) and ok reads (:f read, value a JSON array).
checker::SetFullHistory set_full_history(const workload::History& h, const std::string& add_f);

// Sets :anomalies (lost and unexpected elements) and :anomaly-ops (the adds of the lost
// elements, invocation and completion) in the set-full result `r`.
void add_set_anomalies(const workload::History& h, const std::string& add_f, history::Value* r);

}  // namespace squall::cluster
