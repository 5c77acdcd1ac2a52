// The shard workloads without a cluster: the audit's invariant table as the JEPSEN
// REPORT renders it (PASS with its counts; a negative control's reason as FAIL in its
// own row with the violating item listed), the verdict rules, and option parsing.
#include <gtest/gtest.h>

#include "cluster/cluster_report.h"
#include "cluster_shard/full_lifecycle.h"
#include "cluster_shard/shard_options.h"
#include "sim/stats.h"
#include "worker_audit/invariant_rows.h"

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

}  // namespace
}  // namespace squall::cluster_shard
