// InvariantRow: an AuditResult as the JEPSEN REPORT's invariant table — S1 to S9 as the
// simulator's checker counted them on the records and their etcd history, then zombie
// rejection (the workers' wire traces through the conduct check), shard coverage (the
// done-ledger and the run record) and exactly-once findings (against the ground truth),
// and a row for any other reason the audit gave. Each row carries the audit's details
// of what broke it. Pure functions; value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker_audit/run_audit.h"

namespace squall::worker_audit {

struct InvariantRow {
  std::string name;
  bool pass = true;
  uint64_t checks = 0;
  std::vector<std::string> violations;  // "<reason tag>: <detail>" (the detail alone when tag is the name)
};

std::vector<InvariantRow> invariant_rows(const AuditResult& r);

// The row's name that the audit's reason tag counts against ("Exactly-once findings"
// for "DuplicateFinding", …); unknown tags land in "Other audit failures".
std::string row_of(const std::string& tag);

}  // namespace squall::worker_audit
