#include "worker_audit/invariant_rows.h"

#include <algorithm>

namespace squall::worker_audit {
namespace {

constexpr const char* kZombie = "Zombie rejection (worker conduct)";
constexpr const char* kCoverage = "Shard coverage (done-ledger)";
constexpr const char* kExactlyOnce = "Exactly-once findings";
constexpr const char* kReadBack = "Audit read-back";
constexpr const char* kOther = "Other audit failures";

const sim::Invariant kRecordInvariants[] = {
    sim::Invariant::S1MutualExclusion,  sim::Invariant::S2FenceMonotonic,  sim::Invariant::S3TerminalIrreversible,
    sim::Invariant::S4RecordInvariants, sim::Invariant::S5CursorMonotonic, sim::Invariant::S6CursorInBounds,
    sim::Invariant::S7SplitCoverage,    sim::Invariant::S8RunTerminal,     sim::Invariant::S9ClaimCooldown,
};

}  // namespace

std::string row_of(const std::string& tag) {
  for (sim::Invariant i : kRecordInvariants) {
    if (tag == sim::to_string(i)) return tag;
  }
  if (tag == sim::to_string(sim::Invariant::WorkerConduct)) return kZombie;
  if (tag == "ItemNotProcessed" || tag == "RunNotDone") return kCoverage;
  if (tag == "MissingFinding" || tag == "DuplicateFinding" || tag == "UnexpectedFinding") return kExactlyOnce;
  if (tag == "ReadFailed") return kReadBack;
  return kOther;
}

std::vector<InvariantRow> invariant_rows(const AuditResult& r) {
  std::vector<InvariantRow> rows;
  for (sim::Invariant i : kRecordInvariants)
    rows.push_back({sim::to_string(i), true, r.checks[static_cast<size_t>(i)], {}});
  rows.push_back({kZombie, true, r.sends, {}});
  rows.push_back({kCoverage, true, r.items + 1, {}});  // every item, and the run record
  rows.push_back({kExactlyOnce, true, r.truth + r.findings, {}});
  for (const auto& [tag, details] : r.reasons) {
    const std::string name = row_of(tag);
    auto it = std::find_if(rows.begin(), rows.end(), [&](const InvariantRow& row) { return row.name == name; });
    if (it == rows.end()) it = rows.insert(rows.end(), InvariantRow{name, true, 1, {}});
    it->pass = false;
    if (details.empty()) it->violations.push_back(tag);
    // An S-invariant's tag is the row's own name: the detail alone then.
    for (const auto& d : details) it->violations.push_back(tag == name ? d : tag + ": " + d);
  }
  return rows;
}

}  // namespace squall::worker_audit
