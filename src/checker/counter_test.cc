#include "checker/counter.h"

#include <gtest/gtest.h>

#include "checker/result_map.h"
#include "history/edn.h"

namespace squall::checker {

using history::OpType;
using history::Value;

namespace {

// Builds counter input with times in ms, in invocation order: an op invoked at t_ms
// completes at t_ms + 1, as the workload tests' histories do.
class CounterHistoryBuilder {
 public:
  CounterHistoryBuilder& add(OpType outcome, int64_t delta, int64_t t_ms) {
    h_.adds.push_back({t_ms * 1'000'000, delta, outcome});
    return *this;
  }
  CounterHistoryBuilder& read(int64_t value, int64_t t_ms, std::string node = "n0", bool final = false) {
    h_.reads.push_back({t_ms * 1'000'000, (t_ms + 1) * 1'000'000, value, std::move(node), next_index_++, final});
    return *this;
  }
  const CounterHistory& history() const { return h_; }

 private:
  CounterHistory h_;
  int64_t next_index_ = 0;
};

TEST(Counter, FinalReadsMustEqualOkSumPlusIndeterminateSubset) {
  CounterHistoryBuilder b;
  b.add(OpType::kOk, 3, 0);
  b.add(OpType::kInfo, -2, 1);
  b.add(OpType::kInfo, 4, 2);
  b.add(OpType::kFail, 100, 3);
  b.read(5, 50, "n0", true);  // 3 + 4 - 2
  b.read(7, 50, "n1", true);  // 3 + 4
  Value ok = check_counter(b.history());
  EXPECT_EQ(verdict_of(ok), Verdict::kValid) << history::to_edn(ok);

  CounterHistoryBuilder bad = b;
  bad.read(4, 60, "n2", true);  // 3+? : 4 unreachable (3,1,7,5)
  Value r = check_counter(bad.history());
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(r.get("error-count")->as_int(), 1);
  EXPECT_EQ(r.get("errors")->items()[0].get("node")->as_string(), "n2");
}

TEST(Counter, LostAddIsInvalid) {
  CounterHistoryBuilder b;
  b.add(OpType::kOk, 2, 0);
  b.add(OpType::kOk, 3, 1);
  b.read(2, 50, "n0", true);
  EXPECT_EQ(verdict_of(check_counter(b.history())), Verdict::kInvalid);
}

TEST(Counter, ReadBeyondInvokedAddsIsInvalid) {
  CounterHistoryBuilder b;
  b.read(9, 0, "n1");
  b.add(OpType::kOk, 9, 5);
  b.read(9, 50, "n0", true);
  Value r = check_counter(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
}

TEST(Counter, NoFinalReadsIsUnknown) {
  CounterHistoryBuilder b;
  b.add(OpType::kOk, 2, 0);
  Value r = check_counter(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kUnknown);
  EXPECT_NE(unknown_reason(r).find("no final read"), std::string::npos) << unknown_reason(r);
}

TEST(Counter, ReadWithinInvokedAddsIsValid) {
  // A mid-run read may show any subset of the adds invoked before it completed.
  CounterHistoryBuilder b;
  b.add(OpType::kOk, 4, 0);
  b.add(OpType::kInfo, -1, 1);
  b.read(3, 5, "n1");
  b.read(4, 6, "n1");
  b.read(3, 50, "n0", true);
  Value r = check_counter(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(r.get("ok-add-sum")->as_int(), 4);
  EXPECT_EQ(r.get("indeterminate-add-count")->as_int(), 1);
}

}  // namespace
}  // namespace squall::checker
