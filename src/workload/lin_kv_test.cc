#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "history/edn.h"
#include "proto/error_code.h"
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

TEST(LinKv, GroupsOfTwoNThreadsShareAKeyWhileNoProcessCrashes) {
  auto w = make_lin_kv();
  Rng rng(7);
  GenContext ctx{0, 3, 12};  // two groups of 6 threads
  std::map<int64_t, int> per_key;
  std::map<int64_t, std::set<std::string>> fs_by_role;  // 0: threads 0-2 of a group, 1: threads 3-5
  for (int i = 0; i < 1200; ++i) {
    ctx.thread = i % 12;
    ctx.process = ctx.thread;  // nothing crashes: every thread keeps its process
    Invocation inv = w->next(ctx, rng);
    int64_t k = key_of(inv);
    fs_by_role[ctx.thread % 6 < 3 ? 0 : 1].insert(inv.f);
    ++per_key[k];
    EXPECT_EQ(k, ctx.thread / 6) << "a group keeps its first key, its index, without crashes";
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
  // As Jepsen's reserve: n threads of each group read, the other n write and cas.
  EXPECT_EQ(fs_by_role[0], (std::set<std::string>{"read"}));
  EXPECT_EQ(fs_by_role[1], (std::set<std::string>{"cas", "write"}));
  // No per-key op limit (an old 100-op limit would have used 12 keys here).
  EXPECT_EQ(per_key.size(), 2u);
  for (const auto& [k, n] : per_key) EXPECT_EQ(n, 600) << "key " << k;
}

TEST(LinKv, AKeyRetiresAfterTwentyProcesses) {
  auto w = make_lin_kv();
  Rng rng(7);
  // One group of 6 threads; thread 0 crashes after each op, so it takes a new process
  // (process + concurrency, as the harness numbers them) every time.
  std::vector<int64_t> process = {0, 1, 2, 3, 4, 5};
  std::vector<int64_t> keys;
  for (int i = 0; i < 60; ++i) {
    int thread = i % 6;
    GenContext ctx{thread, 3, 6, process[static_cast<size_t>(thread)]};
    keys.push_back(key_of(w->next(ctx, rng)));
    if (thread == 0) process[0] += 6;
  }
  for (int64_t k : keys) EXPECT_EQ(k, 0);
  for (int i = 60; i < 120; ++i) {
    int thread = i % 6;
    GenContext ctx{thread, 3, 6, process[static_cast<size_t>(thread)]};
    keys.push_back(key_of(w->next(ctx, rng)));
    if (thread == 0) process[0] += 6;
  }
  // Key 0 sees processes 0-5, then thread 0's 6, 12, ...; thread 0's op at 6j brings
  // the (6 + j)-th. At op 90 (j = 15) that would be the 21st: the group moves to key 1
  // and stays there (6 processes on it since).
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(keys[i], i < 90 ? 0 : 1) << "op " << i;
}

TEST(LinKv, ManyNodesStillShareAKeyAcrossTheWholeGroup) {
  // 2n = 24 threads exceed Jepsen's 20 processes: every thread of the group may still
  // use the key, or the group could never issue an op.
  auto w = make_lin_kv();
  Rng rng(1);
  for (int i = 0; i < 240; ++i) {
    GenContext ctx{i % 24, 12, 24, i % 24};
    EXPECT_EQ(key_of(w->next(ctx, rng)), 0) << "op " << i;
  }
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

// Sets the error of op `index` as the client pool records an error reply: its EDN text
// and, for an error reply, its code.
History with_error(History h, size_t index, std::string error, std::optional<int64_t> code = std::nullopt) {
  h[index].error = std::move(error);
  h[index].error_code = code;
  return h;
}

constexpr int64_t kKeyDoesNotExist = proto::code_of(proto::ErrorCode::kKeyDoesNotExist);

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
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
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
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  ASSERT_EQ(r.get("failures")->items().size(), 1u);
  EXPECT_EQ(r.get("failures")->items()[0].as_int(), 1);
  const auto& entries = r.get("results")->entries();
  bool saw_invalid = false;
  for (const auto& [k, v] : entries) {
    if (k.as_int() != 1) continue;
    saw_invalid = true;
    EXPECT_EQ(checker::verdict_of(v), Verdict::kInvalid);
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
  History good = with_error(ok.history(), 1, "[:key-does-not-exist \"not found\"]", kKeyDoesNotExist);
  EXPECT_EQ(checker::verdict_of(w->check(good, {})), Verdict::kValid);
  // After a completed write it is not: the node lost the key.
  HistoryBuilder late;
  late.op(OpType::kOk, 1, "write", "[0,3]", "[0,3]", 0);
  missing_read(late, 0, 0, 5);
  History bad = with_error(late.history(), 3, "[:key-does-not-exist \"not found\"]", kKeyDoesNotExist);
  EXPECT_EQ(checker::verdict_of(w->check(bad, {})), Verdict::kInvalid);
  // Other failed reads surely did not happen and constrain nothing.
  History other = with_error(late.history(), 3, "[:net-timeout]");
  EXPECT_EQ(checker::verdict_of(w->check(other, {})), Verdict::kValid);
}

// Whether a failed read observed a missing key is decided by the error reply's code,
// never by the error's text: the text is for people and may read like anything.
TEST(LinKv, MissingKeyIsTheErrorCodeNotTheErrorText) {
  auto w = make_lin_kv();
  HistoryBuilder late;
  late.op(OpType::kOk, 1, "write", "[0,3]", "[0,3]", 0);
  missing_read(late, 0, 0, 5);
  // Code 20 with a text that does not name it: still a read of nil after a write.
  History coded = with_error(late.history(), 3, "[:error \"no such key\"]", kKeyDoesNotExist);
  EXPECT_EQ(checker::verdict_of(w->check(coded, {})), Verdict::kInvalid);
  // A text that looks like key-does-not-exist without that code (a malformed reply
  // whose problem quotes it): constrains nothing.
  History text_only = with_error(late.history(), 3, "[:key-does-not-exist \"spoofed\"]");
  EXPECT_EQ(checker::verdict_of(w->check(text_only, {})), Verdict::kValid);
}

TEST(LinKv, IndeterminateWritesMayOrMayNotHappen) {
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "write", "[0,2]", 2)
      .complete(OpType::kInfo, 1, "write", "[0,2]", 3)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 4)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,2]", 6);
  EXPECT_EQ(checker::verdict_of(w->check(b.history(), {})), Verdict::kValid);
  HistoryBuilder back;
  back.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "write", "[0,2]", 2)
      .complete(OpType::kInfo, 1, "write", "[0,2]", 3)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,2]", 4)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 6);  // 2 then 1 again: impossible
  EXPECT_EQ(checker::verdict_of(w->check(back.history(), {})), Verdict::kInvalid);
}

TEST(LinKv, AKeyWhoseOpsAllFailedIsTriviallyValid) {
  // A node that answers "not a leader" (code 11, definite: :fail) to everything on key 1
  // during a partition. The failed ops happened nowhere: key 1 has nothing to check.
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .op(OpType::kFail, 1, "write", "[1,3]", "[1,3]", 2)
      .op(OpType::kFail, 1, "cas", "[1,[3,4]]", "[1,[3,4]]", 4)
      .op(OpType::kFail, 2, "read", "[1,null]", "[1,null]", 6)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 8);
  History h = b.history();
  for (size_t i : {3u, 5u, 7u})
    h = with_error(std::move(h), i, "[:temporarily-unavailable \"not a leader\"]",
                   proto::code_of(proto::ErrorCode::kTemporarilyUnavailable));
  Value r = w->check(h, {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(r.get("key-count")->as_int(), 2);
  for (const auto& [k, v] : r.get("results")->entries()) {
    EXPECT_EQ(checker::verdict_of(v), Verdict::kValid) << "key " << history::to_edn(k) << ": " << history::to_edn(v);
    if (k.as_int() == 1) {
      EXPECT_EQ(v.get("op-count")->as_int(), 3);
      ASSERT_NE(v.get("note"), nullptr);
    }
  }
  // A history of nothing but failed ops is valid too.
  HistoryBuilder only;
  only.op(OpType::kFail, 0, "cas", "[5,[0,1]]", "[5,[0,1]]", 0);
  EXPECT_EQ(checker::verdict_of(w->check(only.history(), {})), Verdict::kValid);
}

TEST(LinKv, KeysLeftUnsearchedBesideAnInvalidOneSayWhy) {
  // Key 1 is invalid; keys 0 and 2 may or may not be searched (threads race), but any
  // key without a verdict of its own must carry the reason.
  auto w = make_lin_kv();
  HistoryBuilder b;
  b.op(OpType::kOk, 1, "write", "[1,1]", "[1,1]", 0)
      .op(OpType::kOk, 1, "write", "[1,2]", "[1,2]", 2)
      .op(OpType::kOk, 2, "read", "[1,null]", "[1,1]", 4);
  for (int64_t k : {0, 2})
    for (int i = 0; i < 20; ++i)
      b.op(OpType::kOk, 3, "write", fmt::format("[{},{}]", k, i % 5), fmt::format("[{},{}]", k, i % 5), 10 + 2 * i);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid);
  for (const auto& [k, v] : r.get("results")->entries()) {
    if (checker::verdict_of(v) == Verdict::kUnknown) {
      ASSERT_NE(v.get("reason"), nullptr) << history::to_edn(v);
      EXPECT_NE(checker::unknown_reason(v), "no reason recorded");
    }
  }
}

}  // namespace
}  // namespace squall::workload
