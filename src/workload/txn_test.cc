#include <gtest/gtest.h>

#include <map>
#include <set>

#include "checker/result_map.h"
#include "history/edn.h"
#include "workload/testing/history_builder.h"
#include "workload/testing/json_document.h"
#include "workload/workloads.h"

namespace squall::workload {
namespace {

using history::Value;
using testing::HistoryBuilder;
using testing::parse;

std::unique_ptr<Workload> make(bool list_append, WorkloadOptions o = {}) {
  auto w = make_txn(list_append, o);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error());
  return std::move(*w);
}

TEST(TxnWorkload, GeneratorFollowsTheFlags) {
  WorkloadOptions o;
  o.key_count = 2;
  o.max_txn_length = 3;
  o.max_writes_per_key = 5;
  auto w = make(true, o);
  Rng rng(7);
  std::set<std::pair<int64_t, int64_t>> written;
  std::map<int64_t, int> writes_per_key;
  std::set<size_t> lengths;
  for (int i = 0; i < 2000; ++i) {
    Invocation inv = w->next({}, rng);
    EXPECT_EQ(inv.f, "txn");
    auto doc = parse(inv.value);
    ASSERT_TRUE(doc.IsArray());
    lengths.insert(doc.Size());
    std::set<int64_t> keys_in_txn;
    for (const auto& m : doc.GetArray()) {
      std::string f = m[0].GetString();
      int64_t k = m[1].GetInt64();
      keys_in_txn.insert(k);
      if (f == "r") {
        EXPECT_TRUE(m[2].IsNull());
        continue;
      }
      EXPECT_EQ(f, "append");
      EXPECT_TRUE(written.insert({k, m[2].GetInt64()}).second) << "a (key, value) written twice";
      ++writes_per_key[k];
    }
    // At most key_count keys are active at once, and one txn can cross one retirement
    // per write, so it touches at most key_count + writes keys; in practice few.
    EXPECT_LE(keys_in_txn.size(), 3u);
  }
  EXPECT_EQ(lengths, std::set<size_t>({1, 2, 3}));
  for (const auto& [k, n] : writes_per_key) EXPECT_LE(n, 5) << "key " << k;
  EXPECT_GT(writes_per_key.size(), 100u);  // keys retire and fresh ones take over
}

TEST(TxnWorkload, RequestAndReplyShapes) {
  auto w = make(false);
  Invocation inv{"txn", R"([["r",1,null],["w",1,3]])"};
  EXPECT_EQ(w->request_body(inv), R"({"type":"txn","txn":[["r",1,null],["w",1,3]]})");
  auto ok = w->complete(inv, parse(R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",1,2],["w",1,3]]})"));
  EXPECT_FALSE(ok.malformed) << ok.problem;
  EXPECT_EQ(ok.value, R"([["r",1,2],["w",1,3]])");
  auto nil = w->complete(inv, parse(R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",1,null],["w",1,3]]})"));
  EXPECT_FALSE(nil.malformed);
  for (const char* bad :
       {R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",1,2]]})",
        R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",1,[2]],["w",1,3]]})",
        R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",2,2],["w",1,3]]})",
        R"({"type":"txn_ok","in_reply_to":1,"txn":[["r",1,2],["w",1,4]]})", R"({"type":"txn_ok","in_reply_to":1})"}) {
    auto c = w->complete(inv, parse(bad));
    EXPECT_TRUE(c.malformed) << bad;
    EXPECT_EQ(c.type, OpType::kInfo);
  }
  auto la = make(true);
  Invocation a{"txn", R"([["append",0,1],["r",0,null]])"};
  EXPECT_FALSE(
      la->complete(a, parse(R"({"type":"txn_ok","in_reply_to":1,"txn":[["append",0,1],["r",0,[1]]]})")).malformed);
  EXPECT_TRUE(
      la->complete(a, parse(R"({"type":"txn_ok","in_reply_to":1,"txn":[["append",0,1],["r",0,1]]})")).malformed);
  EXPECT_FALSE(w->idempotent("txn"));
}

TEST(TxnWorkload, CheckUsesTheConsistencyModels) {
  // Write skew on registers: fine under snapshot isolation, not under serializability.
  HistoryBuilder b;
  b.invoke(0, "txn", R"([["r",0,null],["w",1,1]])", 0).invoke(1, "txn", R"([["r",1,null],["w",0,1]])", 0);
  b.complete(OpType::kOk, 0, "txn", R"([["r",0,null],["w",1,1]])", 5);
  b.complete(OpType::kOk, 1, "txn", R"([["r",1,null],["w",0,1]])", 5);
  WorkloadOptions si;
  si.consistency_models = {"snapshot-isolation"};
  Value r = make(false, si)->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_NE(history::to_edn(r).find(":anomaly-types [:G2-item]"), std::string::npos) << history::to_edn(r);
  Value strict = make(false)->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(strict), Verdict::kInvalid);
  ASSERT_NE(strict.get("report-lines"), nullptr);
  EXPECT_NE(history::to_edn(*strict.get("report-lines")).find("G2-item (1)"), std::string::npos);
  // An aborted (error 30) append read by another txn: G1a.
  HistoryBuilder g;
  g.op(OpType::kFail, 0, "txn", R"([["append",0,1]])", R"([["append",0,1]])", 0);
  g.op(OpType::kOk, 1, "txn", R"([["r",0,null]])", R"([["r",0,[1]]])", 10);
  Value g1a = make(true)->check(g.history(), {});
  EXPECT_EQ(checker::verdict_of(g1a), Verdict::kInvalid);
  EXPECT_NE(history::to_edn(g1a).find(":G1a"), std::string::npos);
}

TEST(TxnWorkload, UnknownModelIsAnError) {
  WorkloadOptions o;
  o.consistency_models = {"linearizable"};
  auto w = make_workload("txn-rw-register", o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().find("unknown consistency model 'linearizable'"), std::string::npos);
}

}  // namespace
}  // namespace squall::workload
