#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>

#include "history/edn.h"
#include "workload/stats.h"
#include "workload/testing/history_builder.h"
#include "workload/testing/json_document.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

using testing::HistoryBuilder;
using testing::parse;

TEST(Workloads, RegistryKnowsTheMaelstromNames) {
  for (const auto& n : workload_names()) {
    auto w = make_workload(n);
    ASSERT_TRUE(w.ok()) << n;
    EXPECT_EQ((*w)->name(), n);
  }
  auto bad = make_workload("bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("echo"), std::string::npos);
}

TEST(Workloads, ClosedReplySchemas) {
  auto w = make_broadcast();
  Invocation b{"broadcast", "3"};
  EXPECT_EQ(w->request_body(b), R"({"type":"broadcast","message":3})");
  EXPECT_FALSE(w->complete(b, parse(R"({"type":"broadcast_ok","in_reply_to":1})")).malformed);
  auto extra = w->complete(b, parse(R"({"type":"broadcast_ok","in_reply_to":1,"message":3})"));
  EXPECT_TRUE(extra.malformed);
  EXPECT_NE(extra.problem.find("unexpected key \"message\""), std::string::npos);
  EXPECT_TRUE(w->complete(b, parse(R"({"type":"read_ok","in_reply_to":1})")).malformed);
  Invocation r{"read", "null"};
  auto read = w->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"messages":[1, 2]})"));
  ASSERT_FALSE(read.malformed);
  EXPECT_EQ(read.value, "[1,2]");
  EXPECT_TRUE(w->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"messages":5})")).malformed);
}

TEST(Workloads, RepliesAreCheckedAgainstTheProtoSchemaTable) {
  // g-set reads reply {value}, not broadcast's {messages}; both keys come from the table.
  auto g = make_g_set();
  Invocation add{"add", "4"};
  EXPECT_EQ(g->request_body(add), R"({"type":"add","element":4})");
  Invocation r{"read", "null"};
  EXPECT_FALSE(g->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"value":[4]})")).malformed);
  auto wrong_key = g->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"messages":[4]})"));
  EXPECT_TRUE(wrong_key.malformed);
  EXPECT_NE(wrong_key.problem.find("read_ok has unexpected key \"messages\""), std::string::npos) << wrong_key.problem;
  // Kinds come from the table too.
  auto counter = make_counter(false);
  auto text = counter->complete(r, parse(R"({"type":"read_ok","in_reply_to":1,"value":"3"})"));
  EXPECT_TRUE(text.malformed);
  EXPECT_EQ(text.problem, "read_ok.value must be an integer");
  auto missing = counter->complete(r, parse(R"({"type":"read_ok","in_reply_to":1})"));
  EXPECT_EQ(missing.problem, "read_ok requires key \"value\"");
  auto type = counter->complete(r, parse(R"({"type":"add_ok","in_reply_to":1})"));
  EXPECT_TRUE(type.malformed);
  EXPECT_NE(type.problem.find("expected \"read_ok\""), std::string::npos) << type.problem;
}

TEST(Workloads, TopologySetupForBroadcastOnly) {
  SetupContext ctx{{"n0", "n1"}, R"({"n0":["n1"],"n1":["n0"]})"};
  EXPECT_EQ(make_broadcast()->setup_body(ctx, "n0").value(),
            R"({"type":"topology","topology":{"n0":["n1"],"n1":["n0"]}})");
  EXPECT_FALSE(make_g_set()->setup_body(ctx, "n0").has_value());
}

TEST(Workloads, EchoCheckerCatchesMismatch) {
  auto w = make_echo();
  HistoryBuilder good;
  good.op(OpType::kOk, 0, "echo", "\"a\"", "\"a\"", 0);
  EXPECT_EQ(checker::verdict_of(w->check(good.history(), {})), Verdict::kValid);
  HistoryBuilder bad;
  bad.op(OpType::kOk, 0, "echo", "\"a\"", "\"b\"", 0);
  EXPECT_EQ(checker::verdict_of(w->check(bad.history(), {})), Verdict::kInvalid);
}

TEST(Workloads, UniqueIdsCatchesDuplicates) {
  auto w = make_unique_ids();
  HistoryBuilder good;
  good.op(OpType::kOk, 0, "generate", "null", "1", 0).op(OpType::kOk, 1, "generate", "null", "\"1\"", 1);
  EXPECT_EQ(checker::verdict_of(w->check(good.history(), {})), Verdict::kValid);
  HistoryBuilder bad;
  bad.op(OpType::kOk, 0, "generate", "null", "[1,2]", 0, "n0").op(OpType::kOk, 1, "generate", "null", "[1,2]", 1, "n1");
  Value r = w->check(bad.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(r.get("duplicated-count")->as_int(), 1);
}

// The grow-set workloads hand their recorded ops to the set-full checker: adds of
// add_f with their outcome, ok reads with the elements of their JSON array, the node and
// the final flag of the read's completion.
TEST(Workloads, GrowSetsCheckTheirRecordedOpsWithSetFull) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "broadcast", "0", "0", 0, "n0");
  b.op(OpType::kOk, 1, "broadcast", "1", "1", 5, "n1");
  b.op(OpType::kOk, 1, "read", "null", "[1]", 10, "n1");  // lacks 0: stale
  b.op(OpType::kOk, 0, "read", "null", "[0,1]", 40, "n0");
  b.op(OpType::kOk, 0, "read", "null", "[1, 0]", 100, "n0", true);
  b.op(OpType::kOk, 1, "read", "null", "[0,1]", 100, "n1", true);
  Value r = make_broadcast()->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << history::to_edn(r);
  EXPECT_EQ(r.get("attempt-count")->as_int(), 2);
  EXPECT_EQ(r.get("stale-count")->as_int(), 1);
  EXPECT_EQ(r.get("stable-latencies")->items().back().as_int(), 9);  // read at 10 - known at 1

  HistoryBuilder lost;
  lost.op(OpType::kOk, 0, "add", "0", "0", 0, "n0");
  lost.op(OpType::kOk, 0, "add", "1", "1", 1, "n0");
  lost.invoke(2, "add", "2", 2);                                    // never completes: not acknowledged
  lost.op(OpType::kOk, 1, "read", "null", "[1]", 100, "n1", true);  // lacks 0
  lost.op(OpType::kOk, 0, "read", "null", "[0,1]", 100, "n0", true);
  r = make_g_set()->check(lost.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  EXPECT_EQ(r.get("attempt-count")->as_int(), 3);
  EXPECT_EQ(r.get("acknowledged-count")->as_int(), 2);
  EXPECT_EQ(r.get("lost-count")->as_int(), 1);
  EXPECT_EQ(r.get("lost-examples")->items()[0].get("missing-from-final-reads")->items()[0].as_string(), "n1");
}

// The counters hand their adds (an add that never completed is indeterminate) and ok
// reads to the counter checker.
TEST(Workloads, CountersCheckTheirRecordedOpsWithTheCounterChecker) {
  auto w = make_counter(true);
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "3", "3", 0);
  b.op(OpType::kInfo, 1, "add", "-2", "-2", 1);
  b.invoke(2, "add", "4", 2);  // never completes: indeterminate
  b.op(OpType::kFail, 3, "add", "100", "100", 3);
  b.op(OpType::kOk, 0, "read", "null", "5", 50, "n0", true);  // 3 + 4 - 2
  b.op(OpType::kOk, 1, "read", "null", "7", 50, "n1", true);  // 3 + 4
  Value ok = w->check(b.history(), {});
  EXPECT_EQ(checker::verdict_of(ok), Verdict::kValid) << history::to_edn(ok);
  EXPECT_EQ(ok.get("indeterminate-add-count")->as_int(), 2);

  HistoryBuilder bad = b;
  bad.op(OpType::kOk, 4, "read", "null", "4", 60, "n2", true);  // 4 is unreachable
  Value r = w->check(bad.history(), {});
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid) << history::to_edn(r);
  ASSERT_EQ(r.get("error-count")->as_int(), 1);
  const Value& e = r.get("errors")->items()[0];
  EXPECT_EQ(e.get("node")->as_string(), "n2");
  EXPECT_EQ(e.get("index")->as_int(), 12);  // the read's completion
}

TEST(Workloads, GeneratorIsDeterministicAndInRange) {
  auto a = make_counter(true);
  auto b = make_counter(true);
  Rng ra(5), rb(5);
  bool saw_negative = false;
  for (int i = 0; i < 200; ++i) {
    Invocation x = a->next({}, ra), y = b->next({}, rb);
    ASSERT_EQ(x.f, y.f);
    ASSERT_EQ(x.value, y.value);
    if (x.f == "add") {
      int64_t d = std::stoll(x.value);
      ASSERT_GE(d, -5);
      ASSERT_LE(d, 4);
      saw_negative = saw_negative || d < 0;
    }
  }
  EXPECT_TRUE(saw_negative);
}

TEST(Stats, EveryFNeedsAnOk) {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "read", "null", "[]", 0).op(OpType::kInfo, 1, "add", "1", "1", 1);
  Value r = check_stats(b.history());
  EXPECT_EQ(checker::verdict_of(r), Verdict::kInvalid);
  EXPECT_EQ(r.get("info-count")->as_int(), 1);
  Value avail = check_availability(b.history(), 0.9);
  EXPECT_EQ(checker::verdict_of(avail), Verdict::kInvalid);
  EXPECT_EQ(checker::verdict_of(check_availability(b.history(), 0.5)), Verdict::kValid);
}

TEST(Workloads, AnEmptyHistoryIsValid) {
  // --rate 0 (Maelstrom's leader-election tutorial) issues no client op; Maelstrom
  // calls that valid. Only the final reads, if the workload has them, run and see nothing.
  // What an empty system answers to each workload's final read.
  const std::map<std::string, std::string> empty_final = {
      {"broadcast", "[]"}, {"g-set", "[]"}, {"g-counter", "0"}, {"pn-counter", "0"}, {"kafka", R"({"msgs":{}})"}};
  HistoryBuilder none;
  for (const auto& n : workload_names()) {
    auto w = make_workload(n);
    ASSERT_TRUE(w.ok()) << n;
    HistoryBuilder b;
    if (auto fin = (*w)->final_op()) {
      ASSERT_TRUE(empty_final.contains(n)) << n << " has final reads; add its empty answer here";
      for (int node = 0; node < 3; ++node)
        b.op(OpType::kOk, node, fin->f, fin->value, empty_final.at(n), 10, "n" + std::to_string(node), true);
    }
    Value r = (*w)->check(b.history(), {});
    EXPECT_EQ(checker::verdict_of(r), Verdict::kValid) << n << ": " << history::to_edn(r);
  }
  EXPECT_EQ(checker::verdict_of(check_stats(none.history())), Verdict::kValid);
  EXPECT_EQ(checker::verdict_of(check_availability(none.history(), 1.0)), Verdict::kValid);
}

TEST(Workloads, EveryUnknownVerdictSaysWhy) {
  // One history per workload that cannot be decided: the requests all failed, or the
  // final reads never happened.
  struct Case {
    const char* workload;
    HistoryBuilder b;
  };
  std::vector<Case> cases(6);
  cases[0].workload = "echo";
  cases[0].b.op(OpType::kFail, 0, "echo", "\"a\"", "\"a\"", 0);
  cases[1].workload = "unique-ids";
  cases[1].b.op(OpType::kInfo, 0, "generate", "null", "null", 0);
  cases[2].workload = "g-counter";
  cases[2].b.op(OpType::kOk, 0, "add", "2", "2", 0);
  cases[3].workload = "broadcast";
  cases[3].b.op(OpType::kOk, 0, "broadcast", "1", "1", 0);
  cases[4].workload = "g-set";
  cases[4].b.op(OpType::kOk, 0, "add", "1", "1", 0);
  cases[5].workload = "kafka";
  cases[5].b.op(OpType::kOk, 0, "send", "[1]", "[1]", 0);  // not kafka's value shape
  for (auto& c : cases) {
    auto w = make_workload(c.workload);
    ASSERT_TRUE(w.ok()) << c.workload;
    Value r = (*w)->check(c.b.history(), {});
    ASSERT_EQ(checker::verdict_of(r), Verdict::kUnknown) << c.workload << ": " << history::to_edn(r);
    ASSERT_NE(r.get("reason"), nullptr) << c.workload << ": " << history::to_edn(r);
    EXPECT_FALSE(r.get("reason")->as_string().empty()) << c.workload;
    EXPECT_NE(checker::unknown_reason(r), "no reason recorded") << c.workload;
  }
}

TEST(Stats, AvailabilityMessageShowsTheShortfall) {
  HistoryBuilder b;
  for (int i = 0; i < 18456; ++i) b.op(i < 18450 ? OpType::kOk : OpType::kFail, i % 10, "read", "null", "null", i);
  Value avail = check_availability(b.history(), 1.0);
  ASSERT_EQ(checker::verdict_of(avail), Verdict::kInvalid);
  std::string msg = availability_problem(avail);
  EXPECT_NE(msg.find("18450 of 18456"), std::string::npos) << msg;
  EXPECT_NE(msg.find("availability 0.9997 "), std::string::npos) << msg;
  EXPECT_EQ(msg.find("1.000 "), std::string::npos) << msg;
  EXPECT_EQ(availability_problem(check_availability(b.history(), 0.99)), "");
}

}  // namespace
}  // namespace squall::workload
