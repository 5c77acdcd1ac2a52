#include "checker/unique_ids.h"

#include <gtest/gtest.h>

#include "checker/result_map.h"
#include "history/edn.h"

namespace squall::checker {

using history::Value;

namespace {

TEST(UniqueIds, DistinctIdsAreValidAndOneDiffersFromQuotedOne) {
  Value r = check_unique_ids({2, {{"1", "n0"}, {"\"1\"", "n1"}}});
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(r.get("acknowledged-count")->as_int(), 2);
  EXPECT_EQ(r.get("duplicated-count")->as_int(), 0);
}

TEST(UniqueIds, AnIdHandedOutTwiceIsInvalid) {
  Value r = check_unique_ids({3, {{"[1,2]", "n0"}, {"7", "n0"}, {"[1,2]", "n1"}}});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(r.get("duplicated-count")->as_int(), 1);
  const Value& dup = r.get("duplicated")->items().at(0);
  EXPECT_EQ(dup.get("count")->as_int(), 2);
  ASSERT_EQ(dup.get("nodes")->items().size(), 2u);
  EXPECT_EQ(dup.get("nodes")->items()[1].as_string(), "n1");
}

TEST(UniqueIds, NoSuccessfulRequestIsUnknownButNoRequestIsValid) {
  Value r = check_unique_ids({4, {}});
  EXPECT_EQ(verdict_of(r), Verdict::kUnknown);
  EXPECT_NE(unknown_reason(r).find("none of the 4"), std::string::npos) << unknown_reason(r);
  EXPECT_EQ(verdict_of(check_unique_ids({})), Verdict::kValid);
}

}  // namespace
}  // namespace squall::checker
