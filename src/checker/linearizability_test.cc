// Hand-checkable histories, each with a twin that differs in one result: the checker must
// accept one and reject the other.
#include "checker/linearizability.h"

#include <gtest/gtest.h>

#include "checker/testing/history_gen.h"
#include "history/reader.h"

namespace squall::checker {
namespace {

Outcome check(const char* model_name, const char* edn, CheckOptions opt = {}, const char* init = nullptr) {
  auto h = history::parse_history(edn);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  model::ModelOptions mo;
  if (init) mo.initial = history::Value::integer(std::atoi(init));
  auto m = model::make_model(model_name, mo);
  EXPECT_TRUE(m.ok());
  auto v = check_linearizable(*h, **m, opt);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error());
  return v.ok() ? v->outcome : Outcome::kUnknown;
}

// p0 writes 1 while p1 reads: the read may see nil or 1, never 2.
TEST(Linearizability, ConcurrentReadTwins) {
  const char* ok = R"([{:process 0 :type :invoke :f :write :value 1}
                       {:process 1 :type :invoke :f :read :value nil}
                       {:process 1 :type :ok :f :read :value nil}
                       {:process 0 :type :ok :f :write :value 1}
                       {:process 1 :type :invoke :f :read :value nil}
                       {:process 1 :type :ok :f :read :value 1}])";
  const char* bad = R"([{:process 0 :type :invoke :f :write :value 1}
                        {:process 0 :type :ok :f :write :value 1}
                        {:process 1 :type :invoke :f :read :value nil}
                        {:process 1 :type :ok :f :read :value nil}])";
  EXPECT_EQ(check("register", ok), Outcome::kValid);
  EXPECT_EQ(check("register", bad), Outcome::kInvalid);
}

// Real-time order: a read that starts after a write completed must see it.
TEST(Linearizability, StaleReadAfterCasTwins) {
  const char* base = R"([{:process 0 :type :invoke :f :write :value 1}
                         {:process 0 :type :ok :f :write :value 1}
                         {:process 0 :type :invoke :f :cas :value [1 2]}
                         {:process 0 :type :ok :f :cas :value [1 2]}
                         {:process 1 :type :invoke :f :read :value nil}
                         {:process 1 :type :ok :f :read :value %d}])";
  char ok[512], bad[512];
  std::snprintf(ok, sizeof ok, base, 2);
  std::snprintf(bad, sizeof bad, base, 1);
  EXPECT_EQ(check("cas-register", ok), Outcome::kValid);
  EXPECT_EQ(check("cas-register", bad), Outcome::kInvalid);
}

// A crashed write may take effect late, or never; a failed one never does.
TEST(Linearizability, PendingAndFailedWrites) {
  const char* info = R"([{:process 0 :type :invoke :f :write :value 3}
                         {:process 0 :type :info :f :write :value 3}
                         {:process 1 :type :invoke :f :read :value nil}
                         {:process 1 :type :ok :f :read :value nil}
                         {:process 1 :type :invoke :f :read :value nil}
                         {:process 1 :type :ok :f :read :value 3}])";
  const char* fail = R"([{:process 0 :type :invoke :f :write :value 3}
                         {:process 0 :type :fail :f :write :value 3}
                         {:process 1 :type :invoke :f :read :value nil}
                         {:process 1 :type :ok :f :read :value 3}])";
  const char* unmatched = R"([{:process 0 :type :invoke :f :write :value 3}
                              {:process 1 :type :invoke :f :read :value nil}
                              {:process 1 :type :ok :f :read :value 3}
                              {:process 1 :type :invoke :f :read :value nil}
                              {:process 1 :type :ok :f :read :value nil}])";
  EXPECT_EQ(check("register", info), Outcome::kValid);
  EXPECT_EQ(check("register", fail), Outcome::kInvalid);
  EXPECT_EQ(check("register", unmatched), Outcome::kInvalid);  // 3 then nil: nothing writes nil back
}

TEST(Linearizability, IntegerInitialCasRegister) {
  const char* h = R"([{:process 0 :type :invoke :f :cas :value [0 1]} {:process 0 :type :ok :f :cas :value [0 1]}])";
  EXPECT_EQ(check("cas-register", h, {}, "0"), Outcome::kValid);
  EXPECT_EQ(check("cas-register", h), Outcome::kInvalid);
}

TEST(Linearizability, MutexTwins) {
  const char* ok = R"([{:process 0 :type :invoke :f :acquire} {:process 1 :type :invoke :f :acquire}
                       {:process 0 :type :ok :f :acquire} {:process 0 :type :invoke :f :release}
                       {:process 1 :type :ok :f :acquire} {:process 0 :type :ok :f :release}])";
  const char* bad = R"([{:process 0 :type :invoke :f :acquire} {:process 0 :type :ok :f :acquire}
                        {:process 1 :type :invoke :f :acquire} {:process 1 :type :ok :f :acquire}])";
  EXPECT_EQ(check("mutex", ok), Outcome::kValid);
  EXPECT_EQ(check("mutex", bad), Outcome::kInvalid);
}

TEST(Linearizability, QueueAndSetTwins) {
  const char* fifo = R"([{:process 0 :type :invoke :f :enqueue :value 1} {:process 0 :type :ok :f :enqueue :value 1}
                         {:process 0 :type :invoke :f :enqueue :value 2} {:process 0 :type :ok :f :enqueue :value 2}
                         {:process 1 :type :invoke :f :dequeue :value nil} {:process 1 :type :ok :f :dequeue :value 2}])";
  EXPECT_EQ(check("fifo-queue", fifo), Outcome::kInvalid);
  EXPECT_EQ(check("unordered-queue", fifo), Outcome::kValid);
  const char* set_ok = R"([{:process 0 :type :invoke :f :add :value 1} {:process 1 :type :invoke :f :read :value nil}
                           {:process 1 :type :ok :f :read :value #{}} {:process 0 :type :ok :f :add :value 1}])";
  const char* set_bad = R"([{:process 0 :type :invoke :f :add :value 1} {:process 0 :type :ok :f :add :value 1}
                            {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value #{}}])";
  EXPECT_EQ(check("set", set_ok), Outcome::kValid);
  EXPECT_EQ(check("set", set_bad), Outcome::kInvalid);
}

TEST(Linearizability, MultiRegisterTwins) {
  const char* ok = R"([{:process 0 :type :invoke :f :txn :value [[:w :x 1] [:w :y 1]]}
                       {:process 1 :type :invoke :f :txn :value [[:r :x nil] [:r :y nil]]}
                       {:process 1 :type :ok :f :txn :value [[:r :x 1] [:r :y 1]]}
                       {:process 0 :type :ok :f :txn :value [[:w :x 1] [:w :y 1]]}])";
  const char* bad = R"([{:process 0 :type :invoke :f :txn :value [[:w :x 1] [:w :y 1]]}
                        {:process 1 :type :invoke :f :txn :value [[:r :x nil] [:r :y nil]]}
                        {:process 1 :type :ok :f :txn :value [[:r :x 1] [:r :y nil]]}
                        {:process 0 :type :ok :f :txn :value [[:w :x 1] [:w :y 1]]}])";
  EXPECT_EQ(check("multi-register", ok), Outcome::kValid);
  EXPECT_EQ(check("multi-register", bad), Outcome::kInvalid);
}

// kv split by key and whole must agree; one key's violation is reported with that key.
TEST(Linearizability, KvSplitAndWholeAgree) {
  const char* bad = R"({:process 0 :type :invoke :f :append :key "a" :value "x"}
{:process 0 :type :ok :f :append :key "a" :value "x"}
{:process 1 :type :invoke :f :put :key "b" :value "y"}
{:process 1 :type :ok :f :put :key "b" :value "y"}
{:process 1 :type :invoke :f :get :key "a" :value nil}
{:process 1 :type :ok :f :get :key "a" :value ""}
)";
  CheckOptions split;
  split.split_by_key = true;
  EXPECT_EQ(check("kv", bad), Outcome::kInvalid);
  EXPECT_EQ(check("kv", bad, split), Outcome::kInvalid);
  auto h = history::parse_history(bad);
  split.threads = 1;
  auto v = check_linearizable(*h, *model::make_model("kv").value(), split);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->keys.size(), 2u);  // "b" is smaller, so searched (valid) before "a" (invalid)
  EXPECT_EQ(*v->keys[0].key, history::Value::string("a"));
  EXPECT_EQ(v->keys[0].outcome, Outcome::kInvalid);
  EXPECT_EQ(v->keys[1].outcome, Outcome::kValid);
  EXPECT_EQ(v->keys_not_reported, 0u);
}

TEST(Linearizability, MalformedOpIsAnErrorNamingIt) {
  auto h = history::parse_history("{:process 0 :type :invoke :f :cas :value 7}\n");
  auto v = check_linearizable(*h, *model::make_model("cas-register").value());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("op #0 (line 1)"), std::string::npos) << v.error();
  EXPECT_NE(v.error().find("expected a cas value [from to]"), std::string::npos);
}

TEST(Linearizability, LinearizationIsAValidOrder) {
  auto h = generate_register_history({.seed = 3, .processes = 6, .ops = 200, .crash_percent = 10});
  CheckOptions opt;
  opt.want_linearization = true;
  auto v = check_linearizable(h, *model::make_model("cas-register").value(), opt);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->outcome, Outcome::kValid);
  const auto& lin = v->keys[0].linearization;
  // Every completed (ok) call appears; the order respects real time.
  size_t ok_calls = 0;
  for (const auto& c : h.calls()) ok_calls += c.outcome == history::OpType::kOk && h[c.invoke].f != "read" ? 1 : 0;
  EXPECT_GE(lin.size(), ok_calls);
  for (size_t i = 0; i < lin.size(); ++i)
    for (size_t j = i + 1; j < lin.size(); ++j) {
      int64_t done_j = h.match(lin[j]);
      bool returned = done_j != history::kNoOp && h[static_cast<size_t>(done_j)].type == history::OpType::kOk;
      ASSERT_FALSE(returned && static_cast<size_t>(done_j) < lin[i]) << "order violates real time";
    }
}

// Budgets give unknown, never invalid.
TEST(Linearizability, BudgetsGiveUnknown) {
  auto h = generate_register_history(
      {.seed = 11, .processes = 40, .ops = 3000, .crash_percent = 40, .stale_read_percent = 2});
  CheckOptions opt;
  opt.memory_limit_bytes = 1;  // exceeded at the first poll
  auto v = check_linearizable(h, *model::make_model("cas-register").value(), opt);
  ASSERT_TRUE(v.ok());
  if (v->outcome != Outcome::kInvalid || v->stats.steps >= 4096) {
    EXPECT_EQ(v->outcome, Outcome::kUnknown);
    EXPECT_NE(v->keys[0].reason.find("memory budget"), std::string::npos) << v->keys[0].reason;
  }
}

TEST(Linearizability, DeterministicAcrossThreadCounts) {
  auto h = generate_register_history(
      {.seed = 5, .processes = 10, .ops = 2000, .keys = 20, .crash_percent = 10, .stale_read_percent = 3});
  auto m = model::make_model("cas-register").value();
  std::string first;
  std::string first_verdict;
  for (int threads : {1, 2, 4, 1, 3, 1}) {
    CheckOptions opt;
    opt.threads = threads;
    auto v = check_linearizable(h, *m, opt);
    ASSERT_TRUE(v.ok());
    std::string summary = std::string(to_string(v->outcome)) + " " + std::to_string(v->keys.size());
    for (const auto& k : v->keys) {
      summary += " " + std::string(to_string(k.outcome)) + k.reason;
      if (k.explanation) for (size_t p : k.explanation->prefix) summary += "," + std::to_string(p);
    }
    // The verdict never depends on threads; with one thread, neither does anything else.
    if (first_verdict.empty()) first_verdict = std::string(to_string(v->outcome));
    EXPECT_EQ(std::string(to_string(v->outcome)), first_verdict) << "threads=" << threads;
    if (threads != 1) continue;
    if (first.empty()) first = summary;
    EXPECT_EQ(summary, first) << "threads=" << threads;
  }
}

}  // namespace
}  // namespace squall::checker
