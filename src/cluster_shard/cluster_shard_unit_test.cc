// The shard workloads without a cluster: the audit's invariant table as the JEPSEN
// REPORT renders it (PASS with its counts; a negative control's reason as FAIL in its
// own row with the violating item listed), the verdict rules, and option parsing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cluster/cluster_report.h"
#include "cluster_shard/concurrent_acquisition.h"
#include "cluster_shard/crash_checks.h"
#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/lease_exclusivity.h"
#include "cluster_shard/shard_acquisition.h"
#include "cluster_shard/shard_findings.h"
#include "cluster_shard/shard_options.h"
#include "cluster_shard/shard_workloads.h"
#include "cluster_shard/split_correctness.h"
#include "coord/testing/records.h"
#include "history/edn.h"
#include "history/value_json.h"
#include "sim/stats.h"
#include "worker_audit/invariant_rows.h"
#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {
namespace {

worker_audit::AuditResult clean_audit() {
  worker_audit::AuditResult a;
  a.shards = 40;
  a.splits = 7;
  a.versions = 900;
  a.findings = 33;
  a.truth = 33;
  a.items = 3000;
  a.done_items = 3000;
  a.sends = 4321;
  for (int i = 0; i < sim::kInvariantCount; ++i) a.checks[static_cast<size_t>(i)] = 100 + static_cast<uint64_t>(i);
  return a;
}

std::string report_of(const history::Value& results, const std::string& verdict) {
  cluster::ClusterReportInput in;
  in.workload = "full-lifecycle";
  in.nodes = {"n1", "n2", "n3"};
  in.results = &results;
  in.result = verdict;
  in.nemesis = "kill-random-node";
  in.reproduce = "squall cluster test --workload full-lifecycle --test-seed 1";
  return cluster::render_cluster_report(in);
}

TEST(ShardInvariantTable, CleanAuditPassesEveryRowWithItsCount) {
  history::Value r = audit_results(clean_audit(), true);
  ASSERT_NE(r.get("valid?"), nullptr);
  EXPECT_EQ(*r.get("valid?"), history::Value(true));
  const std::string report = report_of(r, "PASS");
  EXPECT_NE(report.find("│ Lease exclusivity (S1)            │ PASS    │ 100     │"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Fence monotonicity (S2)"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Claim cooldown (S9)               │ PASS    │ 108     │"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Zombie rejection (worker conduct) │ PASS    │ 4321    │"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Shard coverage (done-ledger)      │ PASS    │ 3001    │"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Exactly-once findings             │ PASS    │ 66      │"), std::string::npos) << report;
  EXPECT_NE(report.find("Anomalies: 0"), std::string::npos) << report;
}

TEST(ShardInvariantTable, DuplicateFindingFailsExactlyOnceAndNamesTheItem) {
  worker_audit::AuditResult a = clean_audit();
  a.reasons["DuplicateFinding"] = {"item-000042@17 stored 2 times"};
  history::Value r = audit_results(a, true);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  const std::string report = report_of(r, "FAIL");
  EXPECT_NE(report.find("│ Exactly-once findings             │ FAIL    │ 66      │"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Lease exclusivity (S1)            │ PASS"), std::string::npos) << report;
  EXPECT_NE(report.find("- Exactly-once findings — DuplicateFinding: item-000042@17 stored 2 times"), std::string::npos)
      << report;
}

TEST(ShardInvariantTable, AnS1ViolationFailsItsRowWithTheDetailOnce) {
  worker_audit::AuditResult a = clean_audit();
  a.reasons[sim::to_string(sim::Invariant::S1MutualExclusion)] = {"shard 3: worker 3 granted a lease while worker 1's"};
  const std::string report = report_of(audit_results(a, true), "FAIL");
  EXPECT_NE(report.find("│ Lease exclusivity (S1)            │ FAIL    │ 100     │"), std::string::npos) << report;
  EXPECT_NE(report.find("- Lease exclusivity (S1) — shard 3: worker 3 granted"), std::string::npos) << report;
}

TEST(ShardInvariantTable, EachAuditReasonCountsAgainstItsOwnRow) {
  EXPECT_EQ(worker_audit::row_of(sim::to_string(sim::Invariant::WorkerConduct)), "Zombie rejection (worker conduct)");
  EXPECT_EQ(worker_audit::row_of(sim::to_string(sim::Invariant::S1MutualExclusion)), "Lease exclusivity (S1)");
  EXPECT_EQ(worker_audit::row_of("MissingFinding"), "Exactly-once findings");
  EXPECT_EQ(worker_audit::row_of("ItemNotProcessed"), "Shard coverage (done-ledger)");
  EXPECT_EQ(worker_audit::row_of("DidNotFinish"), "Other audit failures");
  worker_audit::AuditResult a = clean_audit();
  a.reasons["Mystery"] = {"x"};
  auto rows = worker_audit::invariant_rows(a);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().name, "Other audit failures");
  EXPECT_FALSE(rows.back().pass);
}

// One checker's findings carried on by another's: earlier lines, ops and the violation
// stay first; a marked op is always kept, and lines past the cap are only counted.
TEST(ShardFindings, ResumeKeepsWhatWasWrittenAndMarkNamesTheViolationOnce) {
  ShardFindings first;
  first.add("first", {1, 2}, 2, "the first");
  history::Value r = history::Value::array_map();
  first.write(history::Value::vector(), &r);

  ShardFindings more = ShardFindings::resume(r);
  EXPECT_EQ(more.count(), 1u);
  more.mark(7, "not the first");
  for (size_t i = 0; i < kFindingsMax + 3; ++i) more.add_line("line " + std::to_string(i));
  EXPECT_EQ(more.count(), kFindingsMax + 4);
  more.write(history::Value::vector(), &r);
  EXPECT_EQ(r.get("anomalies")->size(), kFindingsMax);
  EXPECT_EQ(r.get("anomalies")->items()[0], history::Value("first"));
  EXPECT_EQ(r.get("anomaly-ops")->size(), 3u);  // 1, 2 and the marked 7
  EXPECT_EQ(r.get("anomaly-ops")->items()[2], history::Value(int64_t{7}));
  EXPECT_EQ(*r.get("violation-op"), history::Value(int64_t{2}));
  EXPECT_EQ(*r.get("violation-note"), history::Value("the first"));
}

TEST(ShardVerdict, UnfinishedRunIsUnknownUnlessSafetyBroke) {
  worker_audit::AuditResult a = clean_audit();
  a.reasons["RunNotDone"] = {"the run record is not Done"};
  a.reasons["ItemNotProcessed"] = {"item-002999 is not in the done-ledger"};
  a.reasons["MissingFinding"] = {"item-002999@3 k"};
  EXPECT_EQ(*audit_results(a, false).get("valid?"), history::Value::keyword("unknown"));
  // Finished, the same reasons prove lost work.
  EXPECT_EQ(*audit_results(a, true).get("valid?"), history::Value(false));
  // A broken safety invariant is invalid even when the run did not finish.
  a.reasons[sim::to_string(sim::Invariant::S1MutualExclusion)] = {"two holders"};
  EXPECT_EQ(*audit_results(a, false).get("valid?"), history::Value(false));
  worker_audit::AuditResult r = clean_audit();
  r.reasons["ReadFailed"] = {"records: etcd unavailable"};
  EXPECT_EQ(*audit_results(r, true).get("valid?"), history::Value::keyword("unknown"));
}

TEST(ShardOptionsParsing, ChecksEachFlagByName) {
  ShardOptions o;
  EXPECT_TRUE(check_shard_options(o));
  o.items = 0;
  Status s = check_shard_options(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("--items must be at least 1, got 0"), std::string::npos) << s.error();
  o = {};
  o.roots = 5000;
  s = check_shard_options(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("--roots"), std::string::npos) << s.error();
  o = {};
  o.lease_ms = 10;
  EXPECT_FALSE(check_shard_options(o));
  o = {};
  o.workload = "register";
  EXPECT_FALSE(check_shard_options(o));
  EXPECT_TRUE(is_shard_workload("full-lifecycle"));
  EXPECT_TRUE(is_shard_workload("lease-exclusivity"));
  EXPECT_TRUE(is_shard_workload("checkpoint-fence"));
  EXPECT_TRUE(is_shard_workload("concurrent-acquisition"));
  EXPECT_TRUE(is_shard_workload("split-correctness"));
  o = {};
  o.coord_mutation = "split-with-gap";
  EXPECT_TRUE(check_shard_options(o));
  o.coord_mutation = "eat-keys";
  s = check_shard_options(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("unknown --coord-mutation 'eat-keys' (known: skip-fence-check"), std::string::npos)
      << s.error();
  EXPECT_TRUE(is_shard_workload("crash-recovery"));
  o = {};
  o.workload = "crash-recovery";
  EXPECT_FALSE(controlled(o)) << "crash-recovery's workers run autonomously, as full-lifecycle's";
  EXPECT_FALSE(is_shard_workload("lock"));
}

TEST(ShardOptionsParsing, FaultsByNameAndTheInvariantThatCatchesEach) {
  auto f = parse_worker_fault("non-idempotent-findings");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, worker::Fault::NonIdempotentFindings);
  auto bad = parse_worker_fault("drop-everything");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("unknown --fault 'drop-everything' (known: skip-fence-check"), std::string::npos)
      << bad.error();
  EXPECT_EQ(invariant_catching(worker::Fault::SkipFenceCheck), "Zombie rejection (worker conduct)");
  EXPECT_EQ(invariant_catching(worker::Fault::IgnoreLiveLease), "Lease exclusivity (S1)");
  EXPECT_NE(invariant_catching(worker::Fault::CheckpointBeforeFindings).find("MissingFinding"), std::string::npos);
  EXPECT_NE(invariant_catching(worker::Fault::NonIdempotentFindings).find("DuplicateFinding"), std::string::npos);
}

// ---- lease-exclusivity's checker, on hand-made histories -----------------------------

constexpr int64_t kLease = 1200;

struct Hist {
  workload::History h;
  // An op from `from` to `to` ms: its invocation and completion.
  void op(int64_t p, const char* f, const std::string& inv, workload::OpType type, const std::string& done,
          int64_t from, int64_t to, const char* error = "") {
    workload::Op i;
    i.process = p;
    i.f = f;
    i.value = inv;
    i.time_ns = from * 1'000'000;
    i.index = static_cast<int64_t>(h.size());
    h.push_back(i);
    workload::Op c = i;
    c.type = type;
    c.value = done;
    c.time_ns = to * 1'000'000;
    c.error = error;
    c.index = static_cast<int64_t>(h.size());
    h.push_back(c);
  }
};

// p0 holds fence 2 until 10000 (workers' clock), checkpoints; p1 is told LeaseHeld,
// then granted fence 3 at 10000; p0's late renew is refused.
Hist honest_history() {
  Hist x;
  using T = workload::OpType;
  x.op(0, "acquire", R"({"shard":1})", T::kOk, R"({"shard":1,"fence":2,"deadline-ms":10000})", 0, 1);
  x.op(0, "checkpoint", R"({"shard":1,"fence":2,"cursor":"c00000001"})", T::kOk,
       R"({"shard":1,"fence":2,"cursor":"c00000001","fence":2,"deadline-ms":0})", 2, 3);
  x.op(1, "acquire", R"({"shard":1})", T::kFail, R"({"shard":1})", 4, 5, "[:LeaseHeld]");
  x.op(1, "acquire", R"({"shard":1})", T::kOk, R"({"shard":1,"fence":3,"deadline-ms":11200})", 1500, 1501);
  x.op(0, "renew", R"({"shard":1,"fence":2})", T::kFail, R"({"shard":1,"fence":2})", 1600, 1601, "[:StaleFence]");
  return x;
}

TEST(LeaseExclusivityChecker, HonestHistoryPassesAndCountsTheRefusedStaleWrite) {
  history::Value r = check_gated_writes(honest_history().h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(true));
  EXPECT_EQ(*r.get("accepted-writes"), history::Value(int64_t{1}));
  EXPECT_EQ(*r.get("grants"), history::Value(int64_t{2}));
  EXPECT_EQ(*r.get("stale-writes-refused"), history::Value(int64_t{1}));
}

TEST(LeaseExclusivityChecker, AWriteUnderAnOlderFenceAfterANewerGrantFails) {
  Hist x = honest_history();
  // p0's checkpoint under fence 2 begins after p1's grant of fence 3 completed, and is
  // accepted: a zombie's write got through.
  x.op(0, "checkpoint", R"({"shard":1,"fence":2,"cursor":"c00000005"})", workload::OpType::kOk,
       R"({"shard":1,"fence":2,"cursor":"c00000005"})", 1700, 1701);
  history::Value r = check_gated_writes(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  ASSERT_GE(r.get("anomalies")->size(), 1u);
  EXPECT_EQ(r.get("anomalies")->items()[0].as_string(),
            "shard 1: p0's checkpoint under fence 2 was accepted, but fence 3 had been in use (op 7) before it began");
  EXPECT_EQ(*r.get("violation-op"), history::Value(int64_t{11}));
  cluster::ClusterReportInput in;
  in.workload = "lease-exclusivity";
  in.history = &x.h;
  in.results = &r;
  in.result = "FAIL";
  const std::string report = cluster::render_cluster_report(in);
  EXPECT_NE(report.find("│ Lease exclusivity (gated writes) │ FAIL    │ 2       │"), std::string::npos) << report;
  EXPECT_NE(report.find("← VIOLATION: accepted under stale fence 2"), std::string::npos) << report;
}

TEST(LeaseExclusivityChecker, AWriteConcurrentWithTheNewerGrantIsNotAViolation) {
  Hist x = honest_history();
  // Begun before the grant of fence 3 completed (at 1501), and within a lease of the
  // acquire: it may have landed first.
  x.op(0, "renew", R"({"shard":1,"fence":2})", workload::OpType::kOk, R"({"shard":1,"fence":2,"deadline-ms":11000})",
       1290, 1700);
  EXPECT_EQ(*check_gated_writes(x.h, kLease).get("valid?"), history::Value(true));
}

TEST(LeaseExclusivityChecker, AGrantWhileAnotherLeaseIsLiveFails) {
  Hist x;
  using T = workload::OpType;
  x.op(0, "acquire", R"({"shard":2})", T::kOk, R"({"shard":2,"fence":2,"deadline-ms":10000})", 0, 1);
  // Granted at 9300 on the workers' clock (deadline less one lease): 700 ms too early.
  x.op(1, "acquire", R"({"shard":2})", T::kOk, R"({"shard":2,"fence":3,"deadline-ms":10500})", 5, 6);
  history::Value r = check_gated_writes(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  ASSERT_GE(r.get("anomalies")->size(), 1u);
  EXPECT_EQ(r.get("anomalies")->items()[0].as_string(),
            "shard 2: p1 was granted fence 3 700 ms before p0's lease (fence 2) ran out");
}

TEST(LeaseExclusivityChecker, UnderClockSkewTheDeadlineRowsAreSkippedButFencingStillCounts) {
  Hist x;
  using T = workload::OpType;
  workload::Op bump;
  bump.process = workload::kNemesisProcess;
  bump.type = T::kInfo;
  bump.f = "bump-clock";
  bump.value = "{}";
  x.h.push_back(bump);
  x.op(0, "acquire", R"({"shard":2})", T::kOk, R"({"shard":2,"fence":2,"deadline-ms":10000})", 0, 1);
  x.op(1, "acquire", R"({"shard":2})", T::kOk, R"({"shard":2,"fence":3,"deadline-ms":10500})", 5, 6);
  history::Value r = check_gated_writes(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(true)) << history::to_edn(r);
  EXPECT_EQ(*r.get("invariants")->items()[2].get("status"), history::Value("SKIPPED"));
  // A zombie's write under fence 2 after fence 3 was granted still fails.
  x.op(0, "renew", R"({"shard":2,"fence":2})", T::kOk, R"({"shard":2,"fence":2,"deadline-ms":11000})", 7, 8);
  EXPECT_EQ(*check_gated_writes(x.h, kLease).get("valid?"), history::Value(false));
}

TEST(LeaseExclusivityChecker, AWriteAcceptedAfterItsLeaseRanOutFails) {
  Hist x;
  using T = workload::OpType;
  x.op(0, "acquire", R"({"shard":1})", T::kOk, R"({"shard":1,"fence":2,"deadline-ms":10000})", 0, 1);
  // Nobody else took the shard, but the lease (1200 ms) ran out long before.
  x.op(0, "checkpoint", R"({"shard":1,"fence":2,"cursor":"c00000003"})", T::kOk, R"({"shard":1,"fence":2})", 2001,
       2002);
  history::Value r = check_gated_writes(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  ASSERT_EQ(r.get("anomalies")->size(), 1u);
  EXPECT_EQ(r.get("anomalies")->items()[0].as_string(),
            "shard 1: p0's checkpoint under fence 2 was accepted 2000 ms after its lease was last confirmed (the lease "
            "is 1200 ms)");
  // Refused, the same write is the protection working.
  x.h.back().type = T::kFail;
  x.h.back().error = "[:LeaseExpired]";
  r = check_gated_writes(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(true));
  EXPECT_EQ(*r.get("stale-writes-refused"), history::Value(int64_t{1}));
}

TEST(LeaseExclusivityChecker, NothingGrantedIsUnknown) {
  Hist x;
  x.op(0, "acquire", R"({"shard":1})", workload::OpType::kInfo, R"({"shard":1})", 0, 3000, "[:timeout]");
  EXPECT_EQ(*check_gated_writes(x.h, kLease).get("valid?"), history::Value::keyword("unknown"));
}

// shard-acquisition: the history as the workload records it (every input in the
// value), checked against the shard-lease model one shard at a time. Worker 1 holds
// shard 1 from now 1000 (lease 1000 ms), checkpoints and renews; worker 2 is refused
// while that lease is live and granted fence 3 once it ran out; shard 2 is untouched
// but for one grant.
Hist acquisition_history() {
  Hist x;
  using T = workload::OpType;
  x.op(0, "acquire", R"({"shard":1,"worker":1,"now":1000,"lease-ms":1000})", T::kOk,
       R"({"shard":1,"worker":1,"now":1000,"lease-ms":1000,"fence":2,"deadline-ms":2000})", 0, 1);
  x.op(0, "checkpoint", R"({"shard":1,"worker":1,"now":1100,"lease-ms":1000,"fence":2,"cursor":"c00000003","op-id":7})",
       T::kOk, R"({"shard":1,"worker":1,"now":1100,"lease-ms":1000,"fence":2,"cursor":"c00000003","op-id":7})", 2, 3);
  x.op(1, "acquire", R"({"shard":1,"worker":2,"now":1200,"lease-ms":1000})", T::kFail,
       R"({"shard":1,"worker":2,"now":1200,"lease-ms":1000})", 4, 5, "[:LeaseHeld]");
  x.op(0, "renew", R"({"shard":1,"worker":1,"now":1500,"lease-ms":1000,"fence":2})", T::kOk,
       R"({"shard":1,"worker":1,"now":1500,"lease-ms":1000,"fence":2,"deadline-ms":2500})", 6, 7);
  x.op(1, "acquire", R"({"shard":1,"worker":2,"now":2600,"lease-ms":1000})", T::kOk,
       R"({"shard":1,"worker":2,"now":2600,"lease-ms":1000,"fence":3,"deadline-ms":3600})", 8, 9);
  x.op(2, "acquire", R"({"shard":2,"worker":3,"now":2600,"lease-ms":1000})", T::kOk,
       R"({"shard":2,"worker":3,"now":2600,"lease-ms":1000,"fence":2,"deadline-ms":3600})", 8, 9);
  return x;
}

TEST(ShardAcquisitionChecker, HonestHistoryIsLinearizable) {
  history::Value r = check_shard_acquisition(acquisition_history().h);
  EXPECT_EQ(*r.get("valid?"), history::Value(true)) << history::to_edn(r);
  EXPECT_EQ(*r.get("grants"), history::Value(int64_t{3}));
  EXPECT_EQ(r.get("anomalies")->size(), 0u);
}

TEST(ShardAcquisitionChecker, AGrantWhileAnotherLeaseIsLiveIsNotLinearizable) {
  Hist x = acquisition_history();
  // Worker 3 is granted shard 1 at now 2550, while worker 2's lease (to 3600) is live.
  x.op(2, "acquire", R"({"shard":1,"worker":3,"now":2700,"lease-ms":1000})", workload::OpType::kOk,
       R"({"shard":1,"worker":3,"now":2700,"lease-ms":1000,"fence":4,"deadline-ms":3700})", 10, 11);
  history::Value r = check_shard_acquisition(x.h);
  EXPECT_EQ(*r.get("valid?"), history::Value(false)) << history::to_edn(r);
  ASSERT_EQ(r.get("anomalies")->size(), 1u);
  EXPECT_NE(r.get("anomalies")->items()[0].as_string().find("shard 1 is not linearizable"), std::string::npos);
  // The failing op is the grant: its invocation is recorded at index 12 of the history.
  EXPECT_EQ(*r.get("violation-op"), history::Value(int64_t{12}));
}

TEST(ShardAcquisitionChecker, ACheckpointUnderTheOldFenceAfterTheNewGrantIsNotLinearizable) {
  Hist x = acquisition_history();
  x.op(0, "checkpoint", R"({"shard":1,"worker":1,"now":2700,"lease-ms":1000,"fence":2,"cursor":"c00000004","op-id":9})",
       workload::OpType::kOk,
       R"({"shard":1,"worker":1,"now":2700,"lease-ms":1000,"fence":2,"cursor":"c00000004","op-id":9})", 10, 11);
  EXPECT_EQ(*check_shard_acquisition(x.h).get("valid?"), history::Value(false));
}

TEST(ShardAcquisitionChecker, AnIndeterminateGrantMayHaveHappened) {
  Hist x = acquisition_history();
  // Worker 3's acquire timed out; worker 1's later refusal-free grant of fence 5 is only
  // possible if worker 3's grant (fence 4) took effect and expired.
  x.op(3, "acquire", R"({"shard":1,"worker":3,"now":3700,"lease-ms":1000})", workload::OpType::kInfo,
       R"({"shard":1,"worker":3,"now":3700,"lease-ms":1000})", 10, 20, "[:timeout]");
  x.op(0, "acquire", R"({"shard":1,"worker":1,"now":4800,"lease-ms":1000})", workload::OpType::kOk,
       R"({"shard":1,"worker":1,"now":4800,"lease-ms":1000,"fence":5,"deadline-ms":5800})", 30, 31);
  EXPECT_EQ(*check_shard_acquisition(x.h).get("valid?"), history::Value(true));
}

TEST(ShardAcquisitionChecker, AnOpWithoutAShardIsRefusedByName) {
  Hist x = acquisition_history();
  x.op(0, "renew", R"({"worker":1,"now":1500})", workload::OpType::kOk, R"({"worker":1})", 40, 41);
  history::Value r = check_shard_acquisition(x.h);
  EXPECT_EQ(*r.get("valid?"), history::Value::keyword("unknown"));
  EXPECT_NE(r.get("reason")->as_string().find("has no integer :shard"), std::string::npos);
}

TEST(ShardWorkloads, FullLifecycleRunsAWorkerPerNodeUnlessConcurrencyIsGiven) {
  ShardOptions o;
  apply_workload_defaults(&o, {}, 60, 10, 5);
  EXPECT_EQ(o.workers_per_node, 1);
  EXPECT_EQ(o.items, 15'000u);
  ShardFlagsGiven given;
  given.concurrency = true;
  apply_workload_defaults(&o, given, 60, 20, 5);
  EXPECT_EQ(o.workers_per_node, 4);
  EXPECT_EQ(run_concurrency(o, 20, 5), 5);  // the history's processes: one observer per node
}

TEST(ShardWorkloads, AcquisitionDefaultsLeaveRoomAndContention) {
  ShardOptions o;
  o.workload = "shard-acquisition";
  apply_workload_defaults(&o, {}, 60, 10, 3);
  EXPECT_EQ(o.roots, 8u);
  EXPECT_EQ(o.lease_ms, 1000);
  EXPECT_EQ(o.workers_per_node, 4);
  EXPECT_TRUE(clock_from_requests(o));
  EXPECT_TRUE(check_shard_options(o));
  ShardOptions given;
  given.workload = "shard-acquisition";
  given.lease_ms = 5000;
  apply_workload_defaults(&given, {false, false, true}, 60, 10, 3);
  EXPECT_EQ(given.lease_ms, 5000);
  given.workload = "lease-exclusivity";
  EXPECT_FALSE(clock_from_requests(given));
}

// ---- concurrent-acquisition's checker ------------------------------------------------

// The status of the named row of a result's :invariants table ("" if absent).
std::string row_status(const history::Value& r, const std::string& name) {
  for (const history::Value& row : r.get("invariants")->items())
    if (row.get("name")->as_string() == name) return row.get("status")->as_string();
  return "";
}

// p0 is granted fence 2 (deadline 10000 on the workers' clock) and renews once; p1 is
// refused, then granted fence 3 after p0's lease ran out; p2 gets shard 2.
Hist race_history() {
  Hist x;
  using T = workload::OpType;
  x.op(0, "acquire", R"({"shard":1})", T::kOk, R"({"shard":1,"fence":2,"deadline-ms":10000})", 0, 1);
  x.op(1, "acquire", R"({"shard":1})", T::kFail, R"({"shard":1})", 2, 3, "[:LeaseHeld]");
  x.op(0, "renew", R"({"shard":1,"fence":2})", T::kOk, R"({"shard":1,"fence":2,"deadline-ms":10200})", 200, 201);
  x.op(2, "acquire", R"({"shard":2})", T::kOk, R"({"shard":2,"fence":2,"deadline-ms":10300})", 300, 301);
  x.op(1, "acquire", R"({"shard":1})", T::kOk, R"({"shard":1,"fence":3,"deadline-ms":11500})", 1499, 1500);
  return x;
}

TEST(ConcurrentAcquisitionChecker, RacingClientsEachWinningTheirOwnFencePass) {
  history::Value r = check_concurrent_acquisition(race_history().h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(true));
  EXPECT_EQ(row_status(r, "One winner per fence"), "PASS");
  EXPECT_EQ(row_status(r, "Fence monotonicity (grants)"), "PASS");
  EXPECT_EQ(row_status(r, "Leases disjoint in time (grants)"), "PASS");
  EXPECT_EQ(r.get("invariants")->items()[0].get("checks")->as_int(), 3);  // the three grants
}

TEST(ConcurrentAcquisitionChecker, TwoWinnersOfOneFenceFail) {
  Hist x = race_history();
  // p3 is granted shard 1's fence 3 as well, once p1's lease ran out (so only this row
  // sees it; a fence not above the last grant also breaks monotonicity).
  x.op(3, "acquire", R"({"shard":1})", workload::OpType::kOk, R"({"shard":1,"fence":3,"deadline-ms":12800})", 2800,
       2801);
  history::Value r = check_concurrent_acquisition(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_status(r, "One winner per fence"), "FAIL");
  bool named = false;
  for (const history::Value& a : r.get("anomalies")->items())
    named |= a.as_string() == "shard 1: fence 3 was granted 2 times (p1 at op 9, p3 at op 11)";
  EXPECT_TRUE(named) << history::to_json(*r.get("anomalies"));
  // Shard 2's fence 2 is another shard's: not a second winner.
  EXPECT_EQ(row_status(check_concurrent_acquisition(race_history().h, kLease), "One winner per fence"), "PASS");
}

TEST(ConcurrentAcquisitionChecker, AStolenLiveLeaseFailsTheDisjointRow) {
  Hist x = race_history();
  // What acquire-ignores-live-lease does: p3 takes shard 1 while p1's lease is live.
  x.op(3, "acquire", R"({"shard":1})", workload::OpType::kOk, R"({"shard":1,"fence":4,"deadline-ms":11700})", 1600,
       1601);
  history::Value r = check_concurrent_acquisition(x.h, kLease);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_status(r, "Leases disjoint in time (grants)"), "FAIL");
  EXPECT_EQ(row_status(r, "One winner per fence"), "PASS");
  EXPECT_EQ(invariant_catching_mutation("acquire-ignores-live-lease"), "Leases disjoint in time (grants)");
}

// ---- split-correctness's checker -----------------------------------------------------

using coord::testing::shard_record;

constexpr coord::ShardId kChildA = coord::kDerivedBit | 0xa1, kChildB = coord::kDerivedBit | 0xb1,
                         kResidual = coord::kDerivedBit | 0xe1, kLost = coord::kDerivedBit | 0x77;

// A shard id as the history holds it.
std::string hid(coord::ShardId id) { return std::to_string(static_cast<int64_t>(id)); }

// Roots 1 ["", c500) and 2 [c500, ""); root 1 split into A ["", c200) and B [c200, c500)
// (B created as b_start..c500); root 2 cut residual R [r_start, "") off, ending at c700.
RunRecords split_records(const char* b_start = "c00000200", const char* r_start = "c00000700") {
  using S = coord::ShardStatus;
  RunRecords recs;
  recs.read = true;
  recs.run.tenant = 1;
  recs.run.run = 1;
  recs.run.roots = std::vector<coord::KeyRange>{{"", "c00000500"}, {"c00000500", ""}};
  coord::ShardRecord root1 = shard_record(1, "", "c00000500", S::Split);
  root1.spawned = {{kChildA, coord::SpawnKind::Child}, {kChildB, coord::SpawnKind::Child}};
  recs.shards[1] = {shard_record(1, "", "c00000500", S::Active), root1};
  recs.shards[kChildA] = {shard_record(kChildA, "", "c00000200", S::Active, 1),
                          shard_record(kChildA, "", "c00000200", S::Active, 1)};
  recs.shards[kChildB] = {shard_record(kChildB, b_start, "c00000500", S::Active, 1),
                          shard_record(kChildB, b_start, "c00000500", S::Active, 1)};
  coord::ShardRecord root2 = shard_record(2, "c00000500", "c00000700", S::Active);
  root2.spawned = {{kResidual, coord::SpawnKind::Residual}};
  recs.shards[2] = {shard_record(2, "c00000500", "", S::Active), root2};
  recs.shards[kResidual] = {shard_record(kResidual, r_start, "", S::Active, 2),
                            shard_record(kResidual, r_start, "", S::Active, 2)};
  return recs;
}

Hist split_history() {
  Hist x;
  using T = workload::OpType;
  x.op(0, "split", R"({"shard":1,"fence":2,"kind":"replace"})", T::kOk,
       R"({"shard":1,"fence":2,"kind":"replace","spawned":[)" + hid(kChildA) + "," + hid(kChildB) + "]}", 0, 1);
  x.op(1, "split", R"({"shard":2,"fence":2,"kind":"residual"})", T::kOk,
       R"({"shard":2,"fence":2,"kind":"residual","spawned":[)" + hid(kResidual) + "]}", 2, 3);
  x.op(1, "split", R"({"shard":2,"fence":2,"kind":"residual","probe":true})", T::kFail,
       R"({"shard":2,"fence":2,"kind":"residual","probe":true})", 4, 5, "[:InvalidArgument]");
  return x;
}

TEST(SplitRecordsChecker, ExactTilingWithEverySplitRecordedPasses) {
  history::Value r = check_split_records(split_history().h, split_records());
  EXPECT_EQ(*r.get("valid?"), history::Value(true)) << history::to_json(*r.get("anomalies"));
  EXPECT_EQ(row_status(r, "Split children tile the parent (S7)"), "PASS");
  EXPECT_EQ(row_status(r, "Leaves tile the root ranges (S7)"), "PASS");
  EXPECT_EQ(row_status(r, "Acknowledged splits recorded"), "PASS");
  EXPECT_EQ(*r.get("acknowledged-splits"), history::Value(int64_t{2}));
  const history::Value& info = r.get("invariants")->items()[4];
  EXPECT_EQ(info.get("checks")->as_int(), 1);  // the refused probe
}

TEST(SplitRecordsChecker, AGapBetweenChildrenFailsBothTilingRows) {
  Hist x = split_history();
  // The gap was let through: the probe answered ok (as split-with-gap does).
  x.h[5].type = workload::OpType::kOk;
  x.h[5].error = "";
  history::Value r = check_split_records(x.h, split_records("c00000250"));
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_status(r, "Split children tile the parent (S7)"), "FAIL");
  EXPECT_EQ(row_status(r, "Leaves tile the root ranges (S7)"), "FAIL");
  EXPECT_EQ(*r.get("violation-note"), history::Value("a split with a gap was accepted"));
  EXPECT_EQ(invariant_catching_mutation("split-with-gap"), "Split children tile the parent (S7)");
}

TEST(SplitRecordsChecker, AGapBeforeAResidualFailsTheLeavesRowOnly) {
  history::Value r = check_split_records(split_history().h, split_records("c00000200", "c00000750"));
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_status(r, "Split children tile the parent (S7)"), "PASS");
  EXPECT_EQ(row_status(r, "Leaves tile the root ranges (S7)"), "FAIL");
  EXPECT_EQ(invariant_catching_mutation("residual-with-gap"), "Leaves tile the root ranges (S7)");
}

TEST(SplitRecordsChecker, AnAcknowledgedSplitMissingFromTheRecordsFails) {
  Hist x = split_history();
  // Answered ok with a child that no record holds (a lost write).
  x.op(2, "split", R"({"shard":2,"fence":2,"kind":"residual"})", workload::OpType::kOk,
       R"({"shard":2,"fence":2,"kind":"residual","spawned":[)" + hid(kLost) + "]}", 6, 7);
  history::Value r = check_split_records(x.h, split_records());
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_status(r, "Acknowledged splits recorded"), "FAIL");
  EXPECT_EQ(r.get("anomalies")->items()[0].as_string(),
            fmt::format("p2's split of shard 2 was answered ok, but spawned shard {} is missing", kLost));
  EXPECT_EQ(*r.get("violation-op"), history::Value(int64_t{7}));
}

TEST(SplitRecordsChecker, UnreadRecordsOrNoSplitIsUnknown) {
  RunRecords unread;
  unread.why = "etcd unavailable";
  EXPECT_EQ(*check_split_records(split_history().h, unread).get("valid?"), history::Value::keyword("unknown"));
  EXPECT_EQ(*check_split_records(workload::History{}, split_records()).get("valid?"),
            history::Value::keyword("unknown"));
}

// ---- crash-recovery's checks, on hand-made traces and records ------------------------

coord::Request checkpoint(coord::ShardId shard, uint64_t fence, const std::string& cursor, coord::OpId op) {
  return coord::CheckpointOp{coord::LeaseToken{coord::ShardRef{1, 1, shard}, 2, fence}, coord::Cursor{cursor, ""}, op};
}

// A trace as gossip-worker --trace writes it: "S <req> <json>" and "A <req> <json>".
std::string sent(uint64_t req, const coord::Request& r) {
  return fmt::format("S {} {}\n", req, worker_driver::encode_request(coord::op_id_of(r), r));
}
std::string answered(uint64_t req, const coord::Request& r, const coord::Reply& reply) {
  return fmt::format("A {} {}\n", req, worker_driver::encode_reply(coord::op_id_of(r), reply));
}

TEST(CrashChecks, TraceGivesTheAcknowledgedCheckpointsAndTheOneTheKillCut) {
  const coord::Request first = checkpoint(3, 2, "c000000120", 11), refused = checkpoint(3, 2, "c000000130", 12),
                       cut = checkpoint(3, 2, "c000000140", 13);
  std::string text =
      "W 2 5\n" + sent(1, first) + answered(1, first, coord::Reply(coord::OpResult{})) + sent(2, refused) +
      answered(2, refused, coord::Reply(coord::coord_error(coord::CoordErrc::StaleFence, "old"))) + sent(3, cut);
  IncarnationTrace t = read_incarnation_trace(text, 1, 1);
  EXPECT_EQ(t.worker, 2u);
  ASSERT_EQ(t.acked.size(), 1u) << "only the checkpoint answered ok counts as acknowledged";
  EXPECT_EQ(t.acked[0], (AckedCheckpoint{3, 2, "c000000120"}));
  ASSERT_TRUE(t.in_flight.has_value());
  EXPECT_EQ(*t.in_flight, coord::OpKind::Checkpoint);
  EXPECT_EQ(t.unreadable, 0u);

  // The kill cut the next request's line short: nothing was in flight from the worker's
  // side (the cut line was never sent), and the broken line is counted.
  const std::string all_answered = "W 2 5\n" + sent(1, first) + answered(1, first, coord::Reply(coord::OpResult{}));
  t = read_incarnation_trace(all_answered + "S 4 {\"f\":\"checkp", 1, 1);
  EXPECT_FALSE(t.in_flight.has_value());
  EXPECT_EQ(t.unreadable, 1u);
  EXPECT_EQ(t.acked.size(), 1u);
}

TEST(CrashChecks, AnAcknowledgedCheckpointBehindTheCursorAfterwardsIsLost) {
  std::map<coord::ShardId, coord::ShardRecord> after;
  after[3].id = 3;
  after[3].cursor.last_key = "c000000130";
  EXPECT_TRUE(lost_checkpoints({{3, 2, "c000000120"}, {3, 4, "c000000130"}}, after).empty());
  auto lost = lost_checkpoints({{3, 4, "c000000140"}, {9, 1, "c000000010"}}, after);
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_NE(lost[0].find("checkpoint at c000000140 acknowledged, cursor afterwards 'c000000130'"), std::string::npos)
      << lost[0];
  EXPECT_NE(lost[1].find("shard 9 fence 1"), std::string::npos) << lost[1];
  EXPECT_NE(lost[1].find("no record"), std::string::npos) << lost[1];
}

TEST(CrashChecks, LedgerEntriesMissingAfterwardsAreListedUpToTheMax) {
  EXPECT_TRUE(missing_entries({"a", "b"}, {"a", "b", "c"}, 5).empty());
  EXPECT_EQ(missing_entries({"a", "b", "c", "d"}, {"b"}, 2), (std::vector<std::string>{"a", "c"}));
}

CrashFindings honest_crashes() {
  CrashFindings f;
  f.kills = 11;
  f.mid_checkpoint = 9;
  f.acked_checked = 300;
  f.ledger_checked = 100'000;
  return f;
}

const history::Value* row_named(const history::Value& r, const std::string& name) {
  for (const auto& row : r.get("invariants")->items()) {
    if (row.get("name")->as_string() == name) return &row;
  }
  return nullptr;
}

TEST(CrashVerdict, CleanAuditAndCrashesMidCheckpointPassWithTheirRowsAndCounts) {
  history::Value r = with_crash_rows(audit_results(clean_audit(), true), honest_crashes());
  EXPECT_EQ(*r.get("valid?"), history::Value(true));
  EXPECT_EQ(r.get("kills-mid-checkpoint")->as_int(), 9);
  const history::Value* mid = row_named(r, "SIGKILLs mid-checkpoint");
  ASSERT_NE(mid, nullptr);
  EXPECT_EQ(mid->get("status")->as_string(), "PASS");
  EXPECT_EQ(mid->get("checks")->as_int(), 9);
  ASSERT_NE(row_named(r, "Exactly-once findings"), nullptr) << "full-lifecycle's rows stay";
  const std::string report = report_of(r, "PASS");
  EXPECT_NE(report.find("│ Acknowledged checkpoints survive crashes │ PASS    │ 300"), std::string::npos) << report;
  EXPECT_NE(report.find("│ Worker SIGKILLs (etcd kept running)      │ DONE    │ 11"), std::string::npos) << report;
}

TEST(CrashVerdict, NoKillMidCheckpointIsUnknownNotAPass) {
  CrashFindings f = honest_crashes();
  f.mid_checkpoint = 0;
  history::Value r = with_crash_rows(audit_results(clean_audit(), true), f);
  EXPECT_EQ(*r.get("valid?"), history::Value::keyword("unknown"));
  EXPECT_NE(r.get("reason")->as_string().find("no SIGKILL landed mid-checkpoint"), std::string::npos);
  EXPECT_EQ(row_named(r, "SIGKILLs mid-checkpoint")->get("status")->as_string(), "UNKNOWN");
}

TEST(CrashVerdict, ALostCheckpointOrLedgerEntryFailsItsOwnRow) {
  CrashFindings f = honest_crashes();
  f.lost_checkpoints = {
      "n2 incarnation 3: shard 4 fence 2: checkpoint at c000000140 acknowledged, cursor afterwards "
      "'c000000100'"};
  history::Value r = with_crash_rows(audit_results(clean_audit(), true), f);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_named(r, "Acknowledged checkpoints survive crashes")->get("status")->as_string(), "FAIL");
  EXPECT_EQ(row_named(r, "Done-ledger survives crashes")->get("status")->as_string(), "PASS");
  ASSERT_EQ(r.get("anomalies")->items().size(), 1u);
  EXPECT_NE(r.get("anomalies")->items()[0].as_string().find("Acknowledged checkpoints survive crashes — n2"),
            std::string::npos);

  f = honest_crashes();
  f.mid_checkpoint = 0;  // a broken row decides even when no kill landed mid-checkpoint
  f.lost_ledger = {"/squall-cluster/… (in the ledger before the kill of n1 incarnation 2) is gone"};
  r = with_crash_rows(audit_results(clean_audit(), true), f);
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_named(r, "Done-ledger survives crashes")->get("status")->as_string(), "FAIL");
}

TEST(CrashVerdict, AnAuditFailureStaysAFailure) {
  worker_audit::AuditResult a = clean_audit();
  a.reasons["MissingFinding"] = {"c00000718@105 SQK-9A9A"};
  history::Value r = with_crash_rows(audit_results(a, true), honest_crashes());
  EXPECT_EQ(*r.get("valid?"), history::Value(false));
  EXPECT_EQ(row_named(r, "Exactly-once findings")->get("status")->as_string(), "FAIL");
}

}  // namespace
}  // namespace squall::cluster_shard
