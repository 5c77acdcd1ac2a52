// CrashChecks: the crash-recovery workload's own checks, as pure functions over what it
// collected — the wire trace of each SIGKILLed worker incarnation, the shard records
// after the run, and the done-ledger as etcd held it just before each kill and at the
// end. A killed worker's acknowledged checkpoints must be durable (the shard's cursor
// afterwards is at or past each of them: a crash loses no acknowledged progress) and
// the ledger only grows (an item marked done before a crash is still marked at the
// end). The trace also tells which request the kill cut short, so the workload can
// count the kills that really landed mid-checkpoint. Value types; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "coord/records.h"
#include "coord/types.h"
#include "history/value.h"

namespace squall::cluster_shard {

// One checkpoint a worker sent and was answered ok.
struct AckedCheckpoint {
  coord::ShardId shard = 0;
  uint64_t fence = 0;
  std::string cursor;  // its last_key
  bool operator==(const AckedCheckpoint&) const = default;
};

struct IncarnationTrace {
  uint64_t worker = 0;  // from the trace's "W <worker> <incarnation>" line
  std::vector<AckedCheckpoint> acked;
  // The kind of the last request sent and never answered: what the kill cut short
  // (a checkpoint: its done-ledger write or its record write was in flight).
  std::optional<coord::OpKind> in_flight;
  size_t unreadable = 0;  // lines that did not parse (a line cut by the kill is one)
};

// Reads one incarnation's trace (gossip-worker --trace: "W <id> <inc>", then
// "S <req> <json>" / "A <req> <json>" lines). Never fails: what does not parse is
// counted in `unreadable`.
IncarnationTrace read_incarnation_trace(std::string_view text, coord::TenantId tenant, coord::RunId run);

// "shard 3 fence 2: checkpoint at c0000120 acknowledged, cursor afterwards c0000100"
// for each acknowledged checkpoint whose shard is missing from `after` or whose cursor
// there lies before it.
std::vector<std::string> lost_checkpoints(const std::vector<AckedCheckpoint>& acked,
                                          const std::map<coord::ShardId, coord::ShardRecord>& after);

// The entries of `before` missing from `after` (at most `max`, in order).
std::vector<std::string> missing_entries(const std::set<std::string>& before, const std::set<std::string>& after,
                                         size_t max);

// What crash-recovery's checks found after the run.
struct CrashFindings {
  size_t kills = 0;                                            // incarnations SIGKILLed
  size_t mid_checkpoint = 0, mid_complete = 0, mid_other = 0;  // what each kill cut short
  size_t acked_checked = 0, ledger_checked = 0;
  std::vector<std::string> lost_checkpoints, lost_ledger, read_errors;
};

// full-lifecycle's result map (audit_results) with the crash rows added to :invariants
// and :anomalies, the counts, and the verdict: false when either breaks or the audit
// did; unknown when the audit was, a read-back failed, or no kill landed mid-checkpoint.
history::Value with_crash_rows(history::Value audit_results, const CrashFindings& found);

}  // namespace squall::cluster_shard
