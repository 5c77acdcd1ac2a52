#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>

#include "history/edn.h"
#include "workload/testing/history_builder.h"
#include "workload/testing/json_document.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

using testing::HistoryBuilder;
using testing::parse;

int64_t key_of(const Invocation& inv) {
  rapidjson::Document d;
  d.Parse(inv.value.c_str());
  return d[0].GetInt64();
}

TEST(LinKv, ConcurrencyMustBeAMultipleOfTwoN) {
  auto w = make_lin_kv();
  EXPECT_TRUE(w->validate(3, 6).ok());
  EXPECT_TRUE(w->validate(3, 12).ok());
  auto bad = w->validate(3, 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("multiple of 6"), std::string::npos) << bad.error();
  EXPECT_FALSE(w->validate(2, 6).ok());
}

TEST(LinKv, GroupsOfTwoNThreadsShareAKeyThenMoveOn) {
  auto w = make_lin_kv();
  Rng rng(7);
  GenContext ctx{0, 3, 12};  // two groups of 6 threads
  std::map<int64_t, int> per_key;
  std::set<std::string> fs;
  for (int i = 0; i < 1200; ++i) {
    ctx.thread = i % 12;
    Invocation inv = w->next(ctx, rng);
    int64_t k = key_of(inv);
    fs.insert(inv.f);
    ++per_key[k];
    if (i < 12) {
      EXPECT_EQ(k, ctx.thread / 6) << "the first key of a group is its index";
    }
    rapidjson::Document d;
    d.Parse(inv.value.c_str());
    if (inv.f == "write") {
      EXPECT_GE(d[1].GetInt64(), 0);
      EXPECT_LE(d[1].GetInt64(), 4);
    }
    if (inv.f == "cas") {
      ASSERT_TRUE(d[1].IsArray());
      for (int j = 0; j < 2; ++j) EXPECT_LE(d[1][j].GetInt64(), 4);
    }
  }
  EXPECT_EQ(fs, (std::set<std::string>{"cas", "read", "write"}));
  EXPECT_EQ(per_key.size(), 12u);  // 600 ops per group at 100 per key
  for (const auto& [k, n] : per_key) EXPECT_EQ(n, 100) << "key " << k;
}

TEST(LinKv, GeneratorIsDeterministic) {
  auto a = make_lin_kv();
  auto b = make_lin_kv();
  Rng ra(3), rb(3);
  for (int i = 0; i < 300; ++i) {
    GenContext ctx{i % 6, 3, 6};
    Invocation x = a->next(ctx, ra), y = b->next(ctx, rb);
    ASSERT_EQ(x.f, y.f);
    ASSERT_EQ(x.value, y.value);
  }
}

TEST(LinKv, RequestsAndClosedReplies) {
  auto w = make_lin_kv();
  Invocation r{"read", "[3,null]"}, wr{"write", "[3,4]"}, cas{"cas", "[3,[1,2]]"};
  EXPECT_EQ(w->request_body(r), R"({"type":"read","key":3})");
  EXPECT_EQ(w->request_body(wr), R"({"type":"write","key":3,"value":4})");
  EXPECT_EQ(w->request_body(cas), R"({"type":"cas","key":3,"from":1,"to":2})");
  auto read = w->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"value":2})"));
  ASSERT_FALSE(read.malformed);
  EXPECT_EQ(read.value, "[3,2]");
  EXPECT_TRUE(w->complete(r, parse(R"({"type":"read_ok","in_reply_to":1})")).malformed);
  EXPECT_TRUE(w->complete(wr, parse(R"({"type":"write_ok","in_reply_to":1,"value":4})")).malformed);
  EXPECT_FALSE(w->complete(cas, parse(R"({"type":"cas_ok","in_reply_to":1})")).malformed);
  EXPECT_TRUE(w->complete(cas, parse(R"({"type":"write_ok","in_reply_to":1})")).malformed);
  EXPECT_TRUE(w->idempotent("read"));
  EXPECT_FALSE(w->idempotent("cas"));
}

// A fail completion with the harness's error text for code 20.
HistoryBuilder& missing_read(HistoryBuilder& b, int64_t process, int64_t key, int64_t t_ms) {
  b.invoke(process, "read", "[" + std::to_string(key) + ",null]", t_ms);
  b.complete(OpType::kFail, process, "read", "[" + std::to_string(key) + ",null]", t_ms + 1);
  return b;
}

History with_error(History h, size_t index, std::string error) {
  h[index].error = std::move(error);
  return h;
}

TEST(LinKv, CheckerAcceptsALinearizableHistory) {
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "cas", "[0,[1,2]]", 2)
      .invoke(2, "read", "[0,null]", 3)
      .complete(OpType::kOk, 2, "read", "[0,2]", 4)  // the cas took effect before the read
      .complete(OpType::kOk, 1, "cas", "[0,[1,2]]", 5)
      .op(OpType::kFail, 1, "cas", "[0,[4,0]]", "[0,[4,0]]", 6)
      .op(OpType::kOk, 3, "read", "[1,null]", "[1,null]", 7);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(r.get("key-count")->as_int(), 2);
  EXPECT_TRUE(r.get("failures")->items().empty());
  ASSERT_TRUE(r.get("results")->is_map());
  EXPECT_EQ(r.get("results")->entries().size(), 2u);
}

TEST(LinKv, CheckerFindsAStaleReadOnOneKey) {
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .op(OpType::kOk, 1, "write", "[1,1]", "[1,1]", 2)
      .op(OpType::kOk, 1, "write", "[1,2]", "[1,2]", 4)
      .op(OpType::kOk, 2, "read", "[1,null]", "[1,1]", 6)  // 2 was written before this read began
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 8);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  ASSERT_EQ(r.get("failures")->items().size(), 1u);
  EXPECT_EQ(r.get("failures")->items()[0].as_int(), 1);
  const auto& entries = r.get("results")->entries();
  bool saw_invalid = false;
  for (const auto& [k, v] : entries) {
    if (k.as_int() != 1) continue;
    saw_invalid = true;
    EXPECT_EQ(verdict_of(v), Verdict::kInvalid);
    ASSERT_NE(v.get("explanation"), nullptr);
    EXPECT_NE(v.get("failing-op")->as_string().find(":read"), std::string::npos) << v.get("failing-op")->as_string();
  }
  EXPECT_TRUE(saw_invalid);
}

TEST(LinKv, MissingKeyReadIsAReadOfNil) {
  auto w = make_lin_kv();
  // Before any write, "key does not exist" is a legal answer.
  HistoryBuilder ok;
  missing_read(ok, 0, 0, 0).op(OpType::kOk, 1, "write", "[0,3]", "[0,3]", 5);
  History good = with_error(ok.history(), 1, "[:key-does-not-exist \"not found\"]");
  EXPECT_EQ(verdict_of(w->check(good, {})), Verdict::kValid);
  // After a completed write it is not: the node lost the key.
  HistoryBuilder late;
  late.op(OpType::kOk, 1, "write", "[0,3]", "[0,3]", 0);
  missing_read(late, 0, 0, 5);
  History bad = with_error(late.history(), 3, "[:key-does-not-exist \"not found\"]");
  EXPECT_EQ(verdict_of(w->check(bad, {})), Verdict::kInvalid);
  // Other failed reads surely did not happen and constrain nothing.
  History other = with_error(late.history(), 3, "[:net-timeout]");
  EXPECT_EQ(verdict_of(w->check(other, {})), Verdict::kValid);
}

TEST(LinKv, IndeterminateWritesMayOrMayNotHappen) {
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "write", "[0,2]", 2)
      .complete(OpType::kInfo, 1, "write", "[0,2]", 3)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 4)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,2]", 6);
  EXPECT_EQ(verdict_of(w->check(b.history(), {})), Verdict::kValid);
  HistoryBuilder back;
  back.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "write", "[0,2]", 2)
      .complete(OpType::kInfo, 1, "write", "[0,2]", 3)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,2]", 4)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 6);  // 2 then 1 again: impossible
  EXPECT_EQ(verdict_of(w->check(back.history(), {})), Verdict::kInvalid);
}

}  // namespace
}  // namespace squall::workload
