#include "checker/txn/checker.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "checker/testing/txn_builder.h"
#include "checker/txn/convert.h"
#include "history/edn.h"

namespace squall::checker::txn {
namespace {

using testing::TxnBuilder;
using Types = std::set<std::string>;

CheckResult run(const TxnBuilder& b, Workload w, std::vector<std::string> models = {"strict-serializable"}) {
  auto h = from_history(b.history(), w);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  Options o;
  o.workload = w;
  o.consistency_models = std::move(models);
  return check(*h, o);
}

CheckResult la(const TxnBuilder& b) { return run(b, Workload::kListAppend); }
CheckResult rw(const TxnBuilder& b) { return run(b, Workload::kRwRegister); }

// Invokes every transaction first and completes them all after: no real-time or process
// order between them, so only the data dependencies matter.
TxnBuilder concurrent(const std::vector<std::string>& txns) {
  TxnBuilder b;
  for (size_t i = 0; i < txns.size(); ++i) b.invoke(static_cast<int64_t>(i), txns[i]);
  for (size_t i = 0; i < txns.size(); ++i) b.complete(static_cast<int64_t>(i), OpType::kOk);
  return b;
}

// ---------------- list-append ----------------

TEST(TxnListAppend, CleanHistoryIsValidUnderEveryModel) {
  TxnBuilder b;
  b.ok(0, "[[:append :x 1] [:r :y nil]]").ok(1, "[[:r :x [1]] [:append :x 2] [:append :y 1]]");
  b.ok(0, "[[:r :x [1 2]] [:r :y [1]]]");
  auto r = la(b);
  EXPECT_EQ(r.verdict, Verdict::kValid) << summary(r);
  EXPECT_TRUE(r.anomaly_types.empty()) << summary(r);
  EXPECT_TRUE(r.ruled.not_.empty());
}

TEST(TxnListAppend, G0) {
  auto b = concurrent(
      {"[[:append :x 1] [:append :y 4]]", "[[:append :x 2] [:append :y 3]]", "[[:r :x [1 2]] [:r :y [3 4]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G0"})) << summary(r);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.ruled.not_, std::set<std::string>({"read-uncommitted"}));
  EXPECT_TRUE(r.ruled.also_not.count("strict-serializable"));
  // The cycle is explained edge by edge: two ww steps, on keys x and y.
  const auto& ex = r.anomalies.at("G0").front();
  const auto& steps = ex.get("steps")->items();
  ASSERT_EQ(steps.size(), 2u);
  std::set<std::string> keys;
  for (const auto& s : steps) {
    EXPECT_EQ(s.get("type")->name(), "ww");
    keys.insert(s.get("key")->name().empty() ? "" : std::string(s.get("key")->name()));
  }
  EXPECT_EQ(keys, std::set<std::string>({"x", "y"}));
  EXPECT_EQ(ex.get("cycle")->size(), 3u);
}

TEST(TxnListAppend, G1c) {
  auto b = concurrent({"[[:append :x 1] [:r :y [1]]]", "[[:append :y 1] [:r :x [1]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G1c"})) << summary(r);
  EXPECT_EQ(r.ruled.not_, std::set<std::string>({"read-committed"}));
  EXPECT_TRUE(run(b, Workload::kListAppend, {"read-uncommitted"}).verdict == Verdict::kValid);
}

TEST(TxnListAppend, GSingle) {
  auto b = concurrent({"[[:r :x []] [:r :y [1]]]", "[[:append :x 1] [:append :y 1]]", "[[:r :x [1]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-single"})) << summary(r);
  EXPECT_TRUE(r.ruled.not_.count("snapshot-isolation"));
  EXPECT_TRUE(r.ruled.not_.count("repeatable-read"));
  EXPECT_FALSE(r.ruled.rules_out("read-committed"));
  EXPECT_EQ(run(b, Workload::kListAppend, {"read-committed"}).verdict, Verdict::kValid);
}

TEST(TxnListAppend, GNonadjacent) {
  auto b = concurrent({"[[:r :x []] [:r :w [1]]]", "[[:append :x 1] [:append :y 1]]", "[[:r :y [1]] [:r :z []]]",
                       "[[:append :z 1] [:append :w 1]]", "[[:r :x [1]] [:r :z [1]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-nonadjacent"})) << summary(r);
  EXPECT_TRUE(r.ruled.rules_out("snapshot-isolation"));
  EXPECT_TRUE(r.ruled.rules_out("repeatable-read"));
}

TEST(TxnListAppend, G2ItemWriteSkew) {
  auto b = concurrent({"[[:r :x []] [:append :y 1]]", "[[:r :y []] [:append :x 1]]", "[[:r :x [1]] [:r :y [1]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G2-item"})) << summary(r);
  // Write skew is allowed by snapshot isolation, not by repeatable read or serializability.
  EXPECT_FALSE(r.ruled.rules_out("snapshot-isolation"));
  EXPECT_TRUE(r.ruled.rules_out("repeatable-read"));
  EXPECT_TRUE(r.ruled.rules_out("serializable"));
  EXPECT_EQ(run(b, Workload::kListAppend, {"snapshot-isolation"}).verdict, Verdict::kValid);
}

TEST(TxnListAppend, GSingleProcess) {
  // Process 0 appends and then, in its next transaction, misses its own append. Process 1
  // is concurrent with both, so only process order closes the cycle... real time would
  // too, but the weaker (process) form is the one reported.
  TxnBuilder b;
  b.invoke(1, "[[:r :x [1]]]");
  b.ok(0, "[[:append :x 1]]").ok(0, "[[:r :x []]]");
  b.complete(1, OpType::kOk);
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-single-process"})) << summary(r);
  EXPECT_TRUE(r.ruled.not_.count("strong-session-snapshot-isolation")) << summary(r);
  EXPECT_FALSE(r.ruled.rules_out("serializable"));
  EXPECT_EQ(run(b, Workload::kListAppend, {"serializable"}).verdict, Verdict::kValid);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
}

TEST(TxnListAppend, GSingleRealtime) {
  TxnBuilder b;
  b.invoke(2, "[[:r :x [1]]]");
  b.ok(0, "[[:append :x 1]]").ok(1, "[[:r :x []]]");
  b.complete(2, OpType::kOk);
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-single-realtime"})) << summary(r);
  EXPECT_TRUE(r.ruled.rules_out("strict-serializable"));
  EXPECT_FALSE(r.ruled.rules_out("strong-session-serializable"));
  // The cycle names the real-time step with the ops' positions.
  const auto& steps = r.anomalies.at("G-single-realtime").front().get("steps")->items();
  bool realtime = false;
  for (const auto& s : steps) realtime |= s.get("type")->name() == "realtime";
  EXPECT_TRUE(realtime);
}

TEST(TxnListAppend, G0ProcessAndG1cRealtime) {
  // G0-process: p0's second txn's append to x is ordered before its first's.
  TxnBuilder b;
  b.invoke(1, "[[:r :x [2 1]]]");
  b.ok(0, "[[:append :x 1]]").ok(0, "[[:append :x 2]]");
  b.complete(1, OpType::kOk);
  EXPECT_EQ(la(b).anomaly_types, Types({"G0-process"})) << summary(la(b));
  // G1c-realtime: T2 starts after T1 ends, yet T1 read T2's append.
  TxnBuilder c;
  c.ok(0, "[[:r :x [1]]]").ok(1, "[[:append :x 1]]");
  EXPECT_EQ(la(c).anomaly_types, Types({"G1c-realtime"})) << summary(la(c));
}

TEST(TxnListAppend, G1aAbortedRead) {
  TxnBuilder b;
  b.fail(0, "[[:append :x 1]]").ok(1, "[[:r :x [1]]]");
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G1a"})) << summary(r);
  EXPECT_EQ(r.ruled.not_, std::set<std::string>({"read-committed"}));
}

TEST(TxnListAppend, G1bIntermediateRead) {
  auto b = concurrent({"[[:append :x 1] [:append :x 2]]", "[[:r :x [1]]]", "[[:r :x [1 2]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G1b"})) << summary(r);
}

TEST(TxnListAppend, InternalInconsistency) {
  TxnBuilder b;
  b.ok(0, "[[:append :x 1] [:r :x []]]");
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"internal"})) << summary(r);
  EXPECT_EQ(r.ruled.not_, std::set<std::string>({"read-uncommitted"}));
}

TEST(TxnListAppend, DirtyUpdateComesWithTheAbortedRead) {
  // The order is only known from a read that shows the aborted append, so G1a is always
  // there too.
  TxnBuilder b;
  b.fail(0, "[[:append :x 1]]").ok(1, "[[:append :x 2]]").ok(2, "[[:r :x [1 2]]]");
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G1a", "dirty-update"})) << summary(r);
}

TEST(TxnListAppend, DuplicateElements) {
  TxnBuilder b;
  b.ok(0, "[[:append :x 1]]").ok(1, "[[:r :x [1 1]]]");
  EXPECT_EQ(la(b).anomaly_types, Types({"duplicate-elements"})) << summary(la(b));
}

TEST(TxnListAppend, IncompatibleOrder) {
  auto b = concurrent({"[[:append :x 1]]", "[[:append :x 2]]", "[[:r :x [1 2]]]", "[[:r :x [2]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"incompatible-order"})) << summary(r);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
}

TEST(TxnListAppend, LostUpdateIsAlsoASingleAntiDependencyCycle) {
  auto b = concurrent({"[[:r :x []] [:append :x 1]]", "[[:r :x []] [:append :x 2]]", "[[:r :x [1 2]]]"});
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"lost-update", "G-single"})) << summary(r);
  EXPECT_EQ(r.counts.at("lost-update"), 1);
}

TEST(TxnListAppend, FutureRead) {
  TxnBuilder b;
  b.ok(0, "[[:r :x [1]] [:append :x 1]]");
  EXPECT_EQ(la(b).anomaly_types, Types({"future-read"})) << summary(la(b));
}

TEST(TxnListAppend, GarbageRead) {
  TxnBuilder b;
  b.ok(0, "[[:append :x 1]]").ok(1, "[[:r :x [1 5]]]");
  EXPECT_EQ(la(b).anomaly_types, Types({"garbage-read"})) << summary(la(b));
}

TEST(TxnListAppend, InfoWritesSeenByReadsTakePart) {
  // An indeterminate append that a read shows did happen: its edges count.
  auto b = TxnBuilder();
  b.info(0, "[[:append :x 1] [:append :y 1]]");
  b.invoke(1, "[[:r :x [1]] [:r :y []]]").invoke(2, "[[:r :y [1]]]");
  b.complete(1, OpType::kOk).complete(2, OpType::kOk);
  auto r = la(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-single"})) << summary(r);
}

// ---------------- rw-register ----------------

TEST(TxnRwRegister, CleanHistoryIsValid) {
  TxnBuilder b;
  b.ok(0, "[[:r :x nil] [:w :x 1]]").ok(1, "[[:r :x 1] [:w :x 2] [:w :y 1]]").ok(0, "[[:r :x 2] [:r :y 1]]");
  auto r = rw(b);
  EXPECT_EQ(r.verdict, Verdict::kValid) << summary(r);
  EXPECT_TRUE(r.anomaly_types.empty());
}

TEST(TxnRwRegister, G1a) {
  TxnBuilder b;
  b.fail(0, "[[:w :x 1]]").ok(1, "[[:r :x 1]]");
  EXPECT_EQ(rw(b).anomaly_types, Types({"G1a"}));
}

TEST(TxnRwRegister, G1b) {
  TxnBuilder b;
  b.ok(0, "[[:w :x 1] [:w :x 2]]").ok(1, "[[:r :x 1]]");
  EXPECT_EQ(rw(b).anomaly_types, Types({"G1b"})) << summary(rw(b));
}

TEST(TxnRwRegister, Internal) {
  TxnBuilder b;
  b.ok(0, "[[:w :x 2]]").ok(1, "[[:w :x 1] [:r :x 2]]");
  EXPECT_EQ(rw(b).anomaly_types, Types({"internal"})) << summary(rw(b));
}

TEST(TxnRwRegister, GSingle) {
  auto b = concurrent({"[[:r :x nil] [:r :y 1]]", "[[:w :x 1] [:w :y 1]]"});
  auto r = rw(b);
  EXPECT_EQ(r.anomaly_types, Types({"G-single"})) << summary(r);
  // Reading nil and a committed value of the same transaction: not read committed's
  // business, but no snapshot shows it.
  EXPECT_EQ(run(b, Workload::kRwRegister, {"read-committed"}).verdict, Verdict::kValid);
}

TEST(TxnRwRegister, G2ItemWriteSkew) {
  auto b = concurrent({"[[:r :x nil] [:w :y 1]]", "[[:r :y nil] [:w :x 1]]"});
  EXPECT_EQ(rw(b).anomaly_types, Types({"G2-item"})) << summary(rw(b));
}

TEST(TxnRwRegister, G0FromReadThenOverwrite) {
  // T1 overwrote T0's x and T0 overwrote T1's y: ww both ways.
  auto b = concurrent({"[[:w :x 1] [:r :y 2] [:w :y 3]]", "[[:r :x 1] [:w :x 4] [:w :y 2]]"});
  auto r = rw(b);
  EXPECT_TRUE(r.anomaly_types.count("G0")) << summary(r);
  EXPECT_FALSE(r.anomaly_types.count("cyclic-versions"));
}

TEST(TxnRwRegister, CyclicVersions) {
  auto b = concurrent({"[[:r :x 1] [:w :x 2]]", "[[:r :x 2] [:w :x 1]]"});
  auto r = rw(b);
  EXPECT_TRUE(r.anomaly_types.count("cyclic-versions")) << summary(r);
  EXPECT_TRUE(r.anomaly_types.count("G0")) << summary(r);
}

TEST(TxnRwRegister, LostUpdate) {
  auto b = concurrent({"[[:r :x 0] [:w :x 1]]", "[[:r :x 0] [:w :x 2]]", "[[:w :x 0]]"});
  auto r = rw(b);
  EXPECT_TRUE(r.anomaly_types.count("lost-update")) << summary(r);
  EXPECT_TRUE(r.ruled.rules_out("snapshot-isolation"));
  EXPECT_FALSE(r.ruled.rules_out("read-committed"));
}

TEST(TxnRwRegister, FutureAndGarbageReads) {
  TxnBuilder b;
  b.ok(0, "[[:r :x 1] [:w :x 1]]");
  EXPECT_EQ(rw(b).anomaly_types, Types({"future-read"}));
  TxnBuilder c;
  c.ok(0, "[[:r :x 9]]");
  EXPECT_EQ(rw(c).anomaly_types, Types({"garbage-read"}));
}

// ---------------- budget, shape ----------------

TEST(TxnChecker, OutOfBudgetIsUnknownNeverInvalid) {
  auto b = concurrent({"[[:r :x []] [:append :y 1]]", "[[:r :y []] [:append :x 1]]", "[[:r :x [1]] [:r :y [1]]]"});
  auto h = from_history(b.history(), Workload::kListAppend);
  ASSERT_TRUE(h.ok());
  Options o;
  o.step_budget = 1;
  auto r = check(*h, o);
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << summary(r);
  EXPECT_NE(r.unknown_reason.find("budget"), std::string::npos);
}

// Real-time order reads the recorded positions: dense ones are placed directly, spread-out
// ones sorted; either way the same transactions precede each other.
TEST(TxnChecker, RealTimeOrderDoesNotDependOnPositionSpacing) {
  TxnBuilder stale;  // G-single-realtime
  stale.invoke(2, "[[:r :x [1]]]");
  stale.ok(0, "[[:append :x 1]]").ok(1, "[[:r :x []]]");
  stale.complete(2, OpType::kOk);
  TxnBuilder future;  // G1c-realtime
  future.ok(0, "[[:r :x [1]]]").ok(1, "[[:append :x 1]]");
  TxnBuilder clean;
  clean.ok(0, "[[:append :x 1]]").ok(1, "[[:r :x [1]]]").ok(0, "[[:append :x 2]]").ok(1, "[[:r :x [1 2]]]");
  for (const TxnBuilder* b : {&stale, &future, &clean}) {
    auto h = from_history(b->history(), Workload::kListAppend);
    ASSERT_TRUE(h.ok());
    Options o;
    const auto dense = check(*h, o);
    // Both keep the order of positions: far apart, and far apart near the top of the range.
    for (int64_t offset : {int64_t{0}, int64_t{4'000'000'000'000'000'000}}) {
      History spread = *h;
      for (Txn& t : spread.txns) {
        t.invoke = t.invoke * 1'000'000'000'000 + offset;
        if (t.complete >= 0) t.complete = t.complete * 1'000'000'000'000 + offset;
      }
      const auto r = check(spread, o);
      EXPECT_EQ(r.verdict, dense.verdict) << summary(r);
      EXPECT_EQ(r.anomaly_types, dense.anomaly_types) << summary(r);
      EXPECT_EQ(r.counts, dense.counts);
    }
  }
  EXPECT_EQ(la(stale).anomaly_types, Types({"G-single-realtime"}));
  EXPECT_EQ(la(future).anomaly_types, Types({"G1c-realtime"}));
  EXPECT_EQ(la(clean).verdict, Verdict::kValid);
}

// Counts are exact however many anomalies there are; examples stop at max_examples,
// the first ones found, each with its words.
TEST(TxnChecker, CountsAreExactAndExamplesCapped) {
  TxnBuilder b;
  for (int i = 1; i <= 5; ++i) {
    const std::string v = std::to_string(i);
    b.fail(0, "[[:append :x " + v + "]]").ok(1, "[[:r :x [" + v + "]]]");  // G1a, and an incompatible order
  }
  auto h = from_history(b.history(), Workload::kListAppend);
  ASSERT_TRUE(h.ok());
  Options o;
  const auto all = check(*h, o);
  ASSERT_EQ(all.counts.at("G1a"), 5) << summary(all);
  ASSERT_EQ(all.anomalies.at("G1a").size(), 5u);
  o.max_examples = 2;
  const auto two = check(*h, o);
  EXPECT_EQ(two.counts, all.counts);
  EXPECT_EQ(two.anomaly_types, all.anomaly_types);
  ASSERT_EQ(two.anomalies.at("G1a").size(), 2u);
  EXPECT_EQ(two.texts.at("G1a").size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(history::to_edn(two.anomalies.at("G1a")[i]), history::to_edn(all.anomalies.at("G1a")[i]));
    EXPECT_EQ(two.texts.at("G1a")[i], all.texts.at("G1a")[i]);
  }
  o.max_examples = 0;
  const auto none = check(*h, o);
  EXPECT_EQ(none.counts, all.counts);
  EXPECT_TRUE(none.anomalies.at("G1a").empty());
  EXPECT_EQ(none.verdict, Verdict::kInvalid);
}

TEST(TxnChecker, ResultHasElleShape) {
  auto b = concurrent({"[[:append :x 1] [:r :y [1]]]", "[[:append :y 1] [:r :x [1]]]"});
  std::string edn = history::to_edn(to_value(la(b)));
  for (const char* k : {":valid? false", ":anomaly-types [:G1c]", ":anomalies {:G1c", ":not #{:read-committed}",
                        ":also-not #{", ":steps [{:type :wr"})
    EXPECT_NE(edn.find(k), std::string::npos) << k << " in " << edn;
}

}  // namespace
}  // namespace squall::checker::txn
