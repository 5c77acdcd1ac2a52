#include "checker/set_full.h"

#include <gtest/gtest.h>

#include "checker/result_map.h"
#include "history/edn.h"
#include "history/op.h"

namespace squall::checker {

using history::OpType;
using history::Value;

namespace {

// Builds set-full input op by op with times in ms, in invocation order: an op invoked at
// t_ms completes at t_ms + 1, as the workload tests' histories do.
class SetHistoryBuilder {
 public:
  SetHistoryBuilder& add(OpType outcome, std::string element, int64_t t_ms) {
    bool ok = outcome == OpType::kOk;
    h_.adds.push_back({std::move(element), ok, ok ? (t_ms + 1) * 1'000'000 : 0});
    return *this;
  }
  SetHistoryBuilder& read(std::vector<std::string> elements, int64_t t_ms, std::string node = "n0",
                          bool final = false) {
    h_.reads.push_back({t_ms * 1'000'000, (t_ms + 1) * 1'000'000, std::move(elements), std::move(node), final});
    return *this;
  }
  const SetFullHistory& history() const { return h_; }

 private:
  SetFullHistory h_;
};

int64_t count(const Value& r, const char* key) { return r.get(key)->as_int(); }

TEST(SetFull, ConvergedHistoryIsValidWithStaleLatency) {
  SetHistoryBuilder b;
  b.add(OpType::kOk, "0", 0);
  b.add(OpType::kOk, "1", 5);
  b.read({"1"}, 10, "n1");  // lacks 0: stale
  b.read({"0", "1"}, 40, "n0");
  b.read({"1", "0"}, 100, "n0", true);
  b.read({"0", "1"}, 100, "n1", true);
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "attempt-count"), 2);
  EXPECT_EQ(count(r, "stable-count"), 2);
  EXPECT_EQ(count(r, "lost-count"), 0);
  EXPECT_EQ(count(r, "stale-count"), 1);
  EXPECT_EQ(r.get("stable-latencies")->items().back().as_int(), 9);  // read at 10 - known at 1
}

TEST(SetFull, ElementMissingFromAFinalReadIsLost) {
  SetHistoryBuilder b;
  b.add(OpType::kOk, "0", 0);
  b.read({}, 100, "n1", true);
  b.read({"0"}, 101, "n0", true);  // later read has it, still lost
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(count(r, "lost-count"), 1);
  EXPECT_EQ(r.get("lost-examples")->items()[0].get("missing-from-final-reads")->items()[0].as_string(), "n1");
}

TEST(SetFull, SeenThenGoneIsLost) {
  SetHistoryBuilder b;
  b.add(OpType::kInfo, "7", 0);  // indeterminate add
  b.read({"7"}, 10, "n1");       // known from this read
  b.read({}, 20, "n1");
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(count(r, "lost-count"), 1);
}

TEST(SetFull, IndeterminateNeverSeenIsNeverReadNotLost) {
  SetHistoryBuilder b;
  b.add(OpType::kInfo, "1", 0);
  b.add(OpType::kOk, "2", 2);
  b.read({"2"}, 10, "n1", true);
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "never-read-count"), 1);
}

TEST(SetFull, AcknowledgedButNeverReadIsUnknown) {
  SetHistoryBuilder b;
  b.add(OpType::kOk, "1", 0);
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kUnknown);
  EXPECT_NE(unknown_reason(r).find("never read"), std::string::npos) << unknown_reason(r);
}

TEST(SetFull, InventedElementIsUnexpected) {
  SetHistoryBuilder b;
  b.add(OpType::kOk, "1", 0);
  b.read({"1", "99"}, 5, "n0", true);
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(count(r, "unexpected-count"), 1);
}

TEST(SetFull, EmptyHistoryIsValid) {
  Value r = check_set_full({});
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "attempt-count"), 0);
}

TEST(SetFull, FailedAddIsNotAcknowledgedAndDuplicateAddsAreOneElement) {
  // A failed add of 5 and an ok add of 5 make one acknowledged element; a failed add of 6
  // that no read shows is never-read, not lost and not an unknown verdict.
  SetHistoryBuilder b;
  b.add(OpType::kFail, "5", 0);
  b.add(OpType::kOk, "5", 1);
  b.add(OpType::kFail, "6", 2);
  b.read({"5"}, 10, "n0", true);
  Value r = check_set_full(b.history());
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(count(r, "attempt-count"), 3);
  EXPECT_EQ(count(r, "acknowledged-count"), 1);
  EXPECT_EQ(count(r, "never-read-count"), 1);
  EXPECT_EQ(count(r, "acknowledged-never-read-count"), 0);
}

}  // namespace
}  // namespace squall::checker
