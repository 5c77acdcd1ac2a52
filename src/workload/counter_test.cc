#include <gtest/gtest.h>

#include "history/edn.h"
#include "workload/testing/history_builder.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

using testing::HistoryBuilder;

TEST(Counter, FinalReadsMustEqualOkSumPlusIndeterminateSubset) {
  auto w = make_counter(true);
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "3", "3", 0);
  b.op(OpType::kInfo, 1, "add", "-2", "-2", 1);
  b.op(OpType::kInfo, 2, "add", "4", "4", 2);
  b.op(OpType::kFail, 3, "add", "100", "100", 3);
  b.op(OpType::kOk, 0, "read", "null", "5", 50, "n0", true);  // 3 + 4 - 2
  b.op(OpType::kOk, 1, "read", "null", "7", 50, "n1", true);  // 3 + 4
  Value ok = w->check(b.history(), {});
  EXPECT_EQ(verdict_of(ok), Verdict::kValid) << history::to_edn(ok);

  HistoryBuilder bad = b;
  bad.op(OpType::kOk, 2, "read", "null", "4", 60, "n2", true);  // 3+? : 4 unreachable (3,1,7,5)
  Value r = w->check(bad.history(), {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(r.get("error-count")->as_int(), 1);
}

TEST(Counter, LostAddIsInvalid) {
  auto w = make_counter(false);
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "2", "2", 0);
  b.op(OpType::kOk, 1, "add", "3", "3", 1);
  b.op(OpType::kOk, 0, "read", "null", "2", 50, "n0", true);
  EXPECT_EQ(verdict_of(w->check(b.history(), {})), Verdict::kInvalid);
}

TEST(Counter, ReadBeyondInvokedAddsIsInvalid) {
  auto w = make_counter(false);
  HistoryBuilder b;
  b.op(OpType::kOk, 1, "read", "null", "9", 0, "n1");
  b.op(OpType::kOk, 0, "add", "9", "9", 5);
  b.op(OpType::kOk, 0, "read", "null", "9", 50, "n0", true);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
}

TEST(Counter, NoFinalReadsIsUnknown) {
  auto w = make_counter(false);
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "2", "2", 0);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(verdict_of(r), Verdict::kUnknown);
  EXPECT_NE(unknown_reason(r).find("no final read"), std::string::npos) << unknown_reason(r);
}

}  // namespace
}  // namespace squall::workload
