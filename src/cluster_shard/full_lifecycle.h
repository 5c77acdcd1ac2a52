// The `full-lifecycle` shard workload: the gossip-worker DB's autonomous workers scan
// the whole corpus under the nemeses while the harness only observes (one :progress op
// per poll: items in the done-ledger, the run's status). After the final phase the
// workers get ShardOptions::settle_ms to finish; then the audit (worker_audit) reads
// the records, their etcd history, the findings, the done-ledger and every worker's
// wire trace, and check() turns it into the result map: :valid?, :invariants (the
// JEPSEN REPORT's table), :anomalies (the violating items and requests). A run whose
// corpus did not finish, with nothing else wrong, is :unknown, not a pass.
#pragma once

#include <memory>

#include "cluster/cluster_workload.h"
#include "cluster_shard/shard_options.h"
#include "history/value.h"
#include "worker_audit/run_audit.h"

namespace squall::cluster_shard {

std::unique_ptr<cluster::ClusterWorkload> make_full_lifecycle(const ShardOptions& options);

// The result map of an audit (pure; unit-tested): `finished` says whether the run
// reached Done before the settle deadline.
history::Value audit_results(const worker_audit::AuditResult& audit, bool finished);

}  // namespace squall::cluster_shard
