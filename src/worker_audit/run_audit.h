// RunAudit: what the gossip-worker end-to-end test concludes from a finished run — the
// records, their history and the findings as etcd holds them, and the workers' wire
// traces — as a set of failure reasons (empty: the run was correct).
//
// It reuses the simulator's checks rather than restating them: the records (and every
// stored version of each, read back through etcd's MVCC history) go through
// sim::Checker's record audits (check_records, check_version, check_run_version: S1–S9
// as far as records show them), and the traces through sim::Conduct. On top of that,
// end to end: the run is Done, every corpus item is in the done-ledger and no Done
// leaf has an item after its cursor, and the stored findings equal the corpus's ground
// truth exactly. Used by the gossip-worker end-to-end test and by `squall cluster`'s
// shard workloads (which turn it into the JEPSEN REPORT's invariant table).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "coord/types.h"
#include "etcd/client.h"
#include "sim/stats.h"
#include "worker/corpus.h"

namespace squall::worker_audit {

struct AuditInput {
  std::string prefix;
  coord::TenantId tenant = 1;
  coord::RunId run = 1;
  int64_t lease_ms = 0;
  int64_t claim_cooldown_ms = 0;
  const worker::Corpus* corpus = nullptr;
  std::vector<std::string> trace_files;  // one per worker process
};

struct AuditResult {
  // Reason tag → details: an invariant's name as sim::to_string(Invariant) gives it
  // (S1–S9, worker conduct), or "MissingFinding", "DuplicateFinding", "UnexpectedFinding",
  // "ItemNotProcessed", "RunNotDone", "ReadFailed".
  std::map<std::string, std::vector<std::string>> reasons;
  size_t shards = 0;
  size_t versions = 0;  // shard-record versions audited
  size_t splits = 0;
  size_t findings = 0;
  size_t done_items = 0;
  size_t sends = 0;  // traced requests
  size_t truth = 0;  // findings the corpus's ground truth holds
  size_t items = 0;  // corpus items checked against the done-ledger
  // How many times each of sim::Checker's invariants was checked (indexed by
  // sim::Invariant), as the simulator counts them.
  std::array<uint64_t, sim::kInvariantCount> checks{};
  std::set<std::string> tags() const;
  std::string summary() const;
};

AuditResult audit_run(etcd::Client* client, const AuditInput& in);

}  // namespace squall::worker_audit
