#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>
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

// Draws ops for `thread` until one with f `f` comes up. A skipped reopen (assign) makes
// the client forget its positions, so `after_reopen` runs to put the test's state back.
Invocation next_of(
    Workload& w, Rng& rng, int thread, const std::string& f, const std::function<void()>& after_reopen = [] {}) {
  for (int i = 0; i < 10'000; ++i) {
    Invocation inv = w.next(GenContext{thread, 2, 4}, rng);
    if (inv.f == f) return inv;
    if (inv.f == "assign") after_reopen();
  }
  ADD_FAILURE() << "no " << f << " generated";
  return {};
}

TEST(Kafka, SendsOnStringKeysWithIncreasingMessages) {
  auto w = make_kafka();
  Rng rng(11);
  std::set<std::string> keys, fs;
  int64_t last_msg = -1;
  for (int i = 0; i < 4000; ++i) {
    Invocation inv = w->next(GenContext{i % 4, 2, 4}, rng);
    fs.insert(inv.f);
    EXPECT_EQ(inv.thread, i % 4);
    if (inv.f != "send") continue;
    auto v = parse(inv.value);
    ASSERT_TRUE(v["key"].IsString());
    keys.insert(v["key"].GetString());
    EXPECT_GT(v["msg"].GetInt64(), last_msg);
    last_msg = v["msg"].GetInt64();
    EXPECT_EQ(w->request_body(inv), R"({"type":"send","key":")" + std::string(v["key"].GetString()) + R"(","msg":)" +
                                        std::to_string(last_msg) + "}");
  }
  // No poll completed, so no client has anything to commit.
  EXPECT_EQ(fs, (std::set<std::string>{"send", "poll", "list_committed_offsets", "assign"}));
  // About 1800 sends at 200 per key: keys beyond the first four were opened.
  EXPECT_GE(keys.size(), 8u);
  EXPECT_TRUE(keys.count("0") && keys.count("7"));
}

TEST(Kafka, PollsAdvanceCommitsFollowAndReopenResumesAtCommitted) {
  auto w = make_kafka();
  Rng rng(5);
  Invocation poll = next_of(*w, rng, 1, "poll");
  auto from = parse(poll.value);
  EXPECT_EQ(from["offsets"]["0"].GetInt64(), 0);
  EXPECT_EQ(w->request_body(poll).rfind(R"({"type":"poll","offsets":{)", 0), 0u);
  auto reply = parse(R"({"type":"poll_ok","in_reply_to":1,"msgs":{"0":[[0,5],[1,9]]}})");
  Completion c = w->complete(poll, reply);
  ASSERT_FALSE(c.malformed) << c.problem;
  EXPECT_EQ(c.value, R"({"msgs":{"0":[[0,5],[1,9]]}})");
  auto replay = [&] { w->complete(poll, reply); };
  // Thread 1 now polls key "0" from offset 2; other threads still from 0.
  EXPECT_EQ(parse(next_of(*w, rng, 1, "poll", replay).value)["offsets"]["0"].GetInt64(), 2);
  EXPECT_EQ(parse(next_of(*w, rng, 2, "poll").value)["offsets"]["0"].GetInt64(), 0);
  // It commits the last offset it polled.
  Invocation commit = next_of(*w, rng, 1, "commit_offsets", replay);
  EXPECT_EQ(commit.value, R"({"offsets":{"0":1}})");
  EXPECT_EQ(w->request_body(commit), R"({"type":"commit_offsets","offsets":{"0":1}})");
  // A crash forgets positions; the reopen resumes at the committed offsets themselves.
  Invocation reopen = next_of(*w, rng, 1, "assign");
  EXPECT_EQ(w->request_body(reopen).rfind(R"({"type":"list_committed_offsets","keys":["0",)", 0), 0u);
  EXPECT_EQ(parse(next_of(*w, rng, 1, "poll").value)["offsets"]["0"].GetInt64(), 0) << "positions forgotten";
  auto listed = parse(R"({"type":"list_committed_offsets_ok","in_reply_to":2,"offsets":{"0":7}})");
  Completion r = w->complete(reopen, listed);
  ASSERT_FALSE(r.malformed) << r.problem;
  EXPECT_NE(r.value.find(R"("offsets":{"0":7})"), std::string::npos) << r.value;
  auto reopened = [&] { w->complete(reopen, listed); };
  EXPECT_EQ(parse(next_of(*w, rng, 1, "poll", reopened).value)["offsets"]["0"].GetInt64(), 7);
  // "Nothing committed yet" as -1 (any integer is an offset): the reopen resumes there.
  auto none_yet = parse(R"({"type":"list_committed_offsets_ok","in_reply_to":3,"offsets":{"0":-1}})");
  Invocation reopen2 = next_of(*w, rng, 1, "assign");
  Completion r2 = w->complete(reopen2, none_yet);
  ASSERT_FALSE(r2.malformed) << r2.problem;
  auto reopened2 = [&] { w->complete(reopen2, none_yet); };
  EXPECT_EQ(parse(next_of(*w, rng, 1, "poll", reopened2).value)["offsets"]["0"].GetInt64(), -1);
}

TEST(Kafka, ClosedReplies) {
  auto w = make_kafka();
  Invocation send{"send", R"({"key":"0","msg":3})", 0};
  Completion ok = w->complete(send, parse(R"({"type":"send_ok","in_reply_to":1,"offset":4})"));
  ASSERT_FALSE(ok.malformed);
  EXPECT_EQ(ok.value, R"({"key":"0","msg":3,"offset":4})");
  EXPECT_TRUE(w->complete(send, parse(R"({"type":"send_ok","in_reply_to":1})")).malformed);
  EXPECT_TRUE(w->complete(send, parse(R"({"type":"send_ok","in_reply_to":1,"offset":"4"})")).malformed);
  Invocation poll{"poll", R"({"offsets":{"0":0}})", 0};
  EXPECT_TRUE(w->complete(poll, parse(R"({"type":"poll_ok","in_reply_to":1,"msgs":{"0":[[0]]}})")).malformed);
  EXPECT_TRUE(w->complete(poll, parse(R"({"type":"poll_ok","in_reply_to":1,"msgs":[]})")).malformed);
  Invocation list{"list_committed_offsets", R"({"keys":["0"]})", 0};
  // Any integer is an offset in Maelstrom's schema; -1 commonly means "none yet".
  Completion none =
      w->complete(list, parse(R"({"type":"list_committed_offsets_ok","in_reply_to":1,"offsets":{"0":-1}})"));
  ASSERT_FALSE(none.malformed) << none.problem;
  EXPECT_EQ(none.value, R"({"offsets":{"0":-1}})");
  EXPECT_TRUE(w->complete(list, parse(R"({"type":"list_committed_offsets_ok","in_reply_to":1,"offsets":{"0":1.5}})"))
                  .malformed);
  EXPECT_TRUE(w->complete(list, parse(R"({"type":"list_committed_offsets_ok","in_reply_to":1,"offsets":{"0":"1"}})"))
                  .malformed);
  EXPECT_TRUE(w->idempotent("poll"));
  EXPECT_FALSE(w->idempotent("send"));
  EXPECT_FALSE(w->idempotent("commit_offsets"));
}

TEST(Kafka, FinalPollCoversEveryKeyFromZero) {
  auto w = make_kafka();
  Rng rng(2);
  for (int i = 0; i < 3000; ++i) w->next(GenContext{i % 4, 2, 4}, rng);
  auto fin = w->final_op();
  ASSERT_TRUE(fin.has_value());
  auto v = parse(fin->value);
  ASSERT_GE(v["offsets"].MemberCount(), 6u);
  for (const auto& m : v["offsets"].GetObject()) EXPECT_EQ(m.value.GetInt64(), 0) << m.name.GetString();
}

HistoryBuilder& send(HistoryBuilder& b, int64_t p, const char* key, int64_t msg, int64_t offset, int64_t t) {
  std::string in = fmt::format(R"({{"key":"{}","msg":{}}})", key, msg);
  std::string out = fmt::format(R"({{"key":"{}","msg":{},"offset":{}}})", key, msg, offset);
  return b.op(OpType::kOk, p, "send", in, out, t);
}

TEST(Kafka, CheckerAcceptsAConsistentLog) {
  auto w = make_kafka();
  HistoryBuilder b;
  send(b, 0, "0", 1, 0, 0);
  send(b, 1, "0", 2, 1, 2);
  b.op(OpType::kOk, 2, "poll", R"({"offsets":{"0":0}})", R"({"msgs":{"0":[[0,1],[1,2]]}})", 4)
      .op(OpType::kOk, 2, "commit_offsets", R"({"offsets":{"0":1}})", R"({"offsets":{"0":1}})", 6)
      .op(OpType::kOk, 2, "assign", R"({"keys":["0"]})", R"({"keys":["0"],"offsets":{"0":1}})", 8)
      .op(OpType::kOk, 2, "poll", R"({"offsets":{"0":0}})", R"({"msgs":{"0":[[0,1]]}})", 10);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_TRUE(r.get("error-types")->items().empty());
}

TEST(Kafka, CheckerAcceptsNegativeCommittedOffsets) {
  auto w = make_kafka();
  HistoryBuilder b;
  b.op(OpType::kOk, 2, "list_committed_offsets", R"({"keys":["0"]})", R"({"offsets":{"0":-1}})", 0)
      .op(OpType::kOk, 2, "assign", R"({"keys":["0"]})", R"({"keys":["0"],"offsets":{"0":-1}})", 2);
  send(b, 0, "0", 1, 0, 4);
  b.op(OpType::kOk, 2, "poll", R"({"offsets":{"0":-1}})", R"({"msgs":{"0":[[0,1]]}})", 6)
      .op(OpType::kOk, 2, "commit_offsets", R"({"offsets":{"0":0}})", R"({"offsets":{"0":0}})", 8);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
}

TEST(Kafka, CheckerReportsInconsistentOffsetsAndLostWritesWithExamples) {
  auto w = make_kafka();
  HistoryBuilder b;
  send(b, 0, "0", 1, 0, 0);
  send(b, 1, "0", 2, 0, 2);  // two messages at offset 0
  send(b, 0, "0", 3, 1, 4);  // acknowledged, below the highest polled offset, never read
  send(b, 0, "0", 4, 2, 6);
  b.op(OpType::kOk, 2, "poll", R"({"offsets":{"0":0}})", R"({"msgs":{"0":[[0,1],[2,4]]}})", 8, "n0", true);
  Value r = w->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid);
  std::string edn = history::to_edn(r);
  const Value* inc = r.get("inconsistent-offsets");
  ASSERT_NE(inc, nullptr) << edn;
  EXPECT_EQ(inc->get("count")->as_int(), 1);
  EXPECT_FALSE(inc->get("examples")->items().empty());
  const Value* lost = r.get("lost-write");
  ASSERT_NE(lost, nullptr) << edn;
  bool saw3 = false;
  for (const Value& e : lost->get("examples")->items()) saw3 = saw3 || e.get("msg")->as_int() == 3;
  EXPECT_TRUE(saw3) << edn;
  EXPECT_FALSE(r.get("summary")->items().empty());
}

}  // namespace
}  // namespace squall::workload
