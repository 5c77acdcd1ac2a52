#include "checker/txn/convert.h"

#include <gtest/gtest.h>

#include "history/reader.h"

namespace squall::checker::txn {
namespace {

TEST(TxnConvert, ElleJsonWithAndWithoutF) {
  const char* text = R"([
    {"type": "invoke", "process": 0, "value": [["append", 1, 2], ["r", 1, null]]},
    {"type": "ok", "process": 0, "f": "txn", "value": [["append", 1, 2], ["r", 1, [2]]]},
    {"type": "info", "process": "nemesis", "f": "start", "value": null}
  ])";
  ASSERT_TRUE(looks_like_elle_json(text));
  auto h = parse_elle_json(text, "h.json");
  ASSERT_TRUE(h.ok()) << h.error();
  EXPECT_EQ(h->size(), 2u);
  EXPECT_EQ(h->ignored_ops(), 1u);
  auto t = from_history(*h, Workload::kListAppend);
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->txns.size(), 1u);
  EXPECT_EQ(t->txns[0].type, OpType::kOk);
  auto mops = t->mops_of(t->txns[0]);
  ASSERT_EQ(mops.size(), 2u);
  EXPECT_EQ(mops[0].f, MopF::kAppend);
  EXPECT_TRUE(mops[1].known);
  ASSERT_EQ(t->elems_of(mops[1]).size(), 1u);
  EXPECT_EQ(t->elems_of(mops[1])[0], 2);
}

TEST(TxnConvert, ElleJsonErrorsNameTheOp) {
  auto bad_type = parse_elle_json(R"([{"type": "done", "process": 0, "value": []}])", "h.json");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error(), "h.json: op 0: unknown type 'done'");
  auto not_json = parse_elle_json("[{\"type\": \n ok}]", "h.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().find("h.json:2: not JSON"), std::string::npos) << not_json.error();
  auto orphan = parse_elle_json(R"([{"type": "ok", "process": 3, "value": []}])", "h.json");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().find("h.json: op 0"), std::string::npos);
  std::string deep(1000, '[');
  EXPECT_FALSE(parse_elle_json(deep, "h.json").ok());
  EXPECT_FALSE(looks_like_elle_json("[{:type :ok}]"));  // an EDN vector of op maps
  EXPECT_FALSE(looks_like_elle_json("{:type :ok}"));
}

TEST(TxnConvert, MicroOpsThatDoNotFitTheWorkloadAreErrors) {
  auto h = history::parse_history(
      "{:process 0 :type :invoke :f :txn :value [[:w :x 1]]}\n{:process 0 :type :ok :f :txn :value [[:w :x 1]]}\n");
  ASSERT_TRUE(h.ok()) << h.error();
  auto la = from_history(*h, Workload::kListAppend);
  ASSERT_FALSE(la.ok());
  EXPECT_NE(la.error().find("does not belong to a list-append history"), std::string::npos) << la.error();
  EXPECT_TRUE(from_history(*h, Workload::kRwRegister).ok());
  auto s = history::parse_history(
      "{:process 0 :type :invoke :f :txn :value [[:w :x \"a\"]]}\n{:process 0 :type :fail :f :txn :value nil}\n");
  ASSERT_TRUE(s.ok());
  auto bad = from_history(*s, Workload::kRwRegister);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("must be an integer"), std::string::npos) << bad.error();
  auto notlist = history::parse_history("{:process 0 :type :invoke :f :txn :value 3}\n");
  ASSERT_TRUE(notlist.ok());
  EXPECT_FALSE(from_history(*notlist, Workload::kRwRegister).ok());
}

TEST(TxnConvert, InfoAndFailTakeTheInvocationsMicroOps) {
  auto h = history::parse_history(
      "{:process 0 :type :invoke :f :txn :value [[:r :x nil] [:w :x 1]]}\n"
      "{:process 0 :type :info :f :txn :value nil}\n");
  ASSERT_TRUE(h.ok()) << h.error();
  auto t = from_history(*h, Workload::kRwRegister);
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->txns.size(), 1u);
  EXPECT_EQ(t->txns[0].type, OpType::kInfo);
  EXPECT_FALSE(t->mops_of(t->txns[0])[0].known);
  EXPECT_EQ(t->mops_of(t->txns[0])[1].value, 1);
}

}  // namespace
}  // namespace squall::checker::txn
