#include "workload/set_full.h"

#include <gtest/gtest.h>

#include "history/edn.h"
#include "workload/testing/history_builder.h"

namespace squall::workload {

using history::Value;

namespace {

using testing::HistoryBuilder;

int64_t count(const Value& r, const char* key) { return r.get(key)->as_int(); }

TEST(SetFull, ConvergedHistoryIsValidWithStaleLatency) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "broadcast", "0", "0", 0, "n0");
  b.op(OpType::kOk, 1, "broadcast", "1", "1", 5, "n1");
  b.op(OpType::kOk, 1, "read", "null", "[1]", 10, "n1");  // lacks 0: stale
  b.op(OpType::kOk, 0, "read", "null", "[0,1]", 40, "n0");
  b.op(OpType::kOk, 0, "read", "null", "[1,0]", 100, "n0", true);
  b.op(OpType::kOk, 1, "read", "null", "[0,1]", 100, "n1", true);
  Value r = check_set_full(b.history(), "broadcast", {});
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "attempt-count"), 2);
  EXPECT_EQ(count(r, "stable-count"), 2);
  EXPECT_EQ(count(r, "lost-count"), 0);
  EXPECT_EQ(count(r, "stale-count"), 1);
  EXPECT_EQ(r.get("stable-latencies")->items().back().as_int(), 9);  // read at 10 - known at 1
}

TEST(SetFull, ElementMissingFromAFinalReadIsLost) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "broadcast", "0", "0", 0, "n0");
  b.op(OpType::kOk, 1, "read", "null", "[]", 100, "n1", true);
  b.op(OpType::kOk, 0, "read", "null", "[0]", 101, "n0", true);  // later read has it, still lost
  Value r = check_set_full(b.history(), "broadcast", {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(count(r, "lost-count"), 1);
  EXPECT_EQ(r.get("lost-examples")->items()[0].get("missing-from-final-reads")->items()[0].as_string(), "n1");
}

TEST(SetFull, SeenThenGoneIsLost) {
  HistoryBuilder b;
  b.op(OpType::kInfo, 0, "add", "7", "7", 0, "n0");       // indeterminate add
  b.op(OpType::kOk, 1, "read", "null", "[7]", 10, "n1");  // known from this read
  b.op(OpType::kOk, 1, "read", "null", "[]", 20, "n1");
  Value r = check_set_full(b.history(), "add", {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(count(r, "lost-count"), 1);
}

TEST(SetFull, IndeterminateNeverSeenIsNeverReadNotLost) {
  HistoryBuilder b;
  b.op(OpType::kInfo, 0, "add", "1", "1", 0);
  b.op(OpType::kOk, 0, "add", "2", "2", 2);
  b.op(OpType::kOk, 1, "read", "null", "[2]", 10, "n1", true);
  Value r = check_set_full(b.history(), "add", {});
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "never-read-count"), 1);
}

TEST(SetFull, AcknowledgedButNeverReadIsUnknown) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "1", "1", 0);
  Value r = check_set_full(b.history(), "add", {});
  EXPECT_EQ(verdict_of(r), Verdict::kUnknown);
}

TEST(SetFull, InventedElementIsUnexpected) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "1", "1", 0);
  b.op(OpType::kOk, 0, "read", "null", "[1,99]", 5, "n0", true);
  Value r = check_set_full(b.history(), "add", {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(count(r, "unexpected-count"), 1);
}

}  // namespace
}  // namespace squall::workload
