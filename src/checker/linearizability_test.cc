// Hand-checkable histories, each with a twin that differs in one result: the checker must
// accept one and reject the other.
#include "checker/linearizability.h"

#include <gtest/gtest.h>

#include "checker/testing/history_gen.h"
#include "history/reader.h"

namespace squall::checker {
namespace {

Verdict check(const char* model_name, const char* edn, CheckOptions opt = {}, const char* init = nullptr) {
  auto h = history::parse_history(edn);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  model::ModelOptions mo;
  // These hand histories read nil from an empty register, so nil reads are values here
  // (Knossos's "unknown value" meaning has tests of its own below).
  mo.nil_read = model::NilRead::kStrict;
  if (init) mo.initial = history::Value::integer(std::atoi(init));
  auto m = model::make_model(model_name, mo);
  EXPECT_TRUE(m.ok());
  auto v = check_linearizable(*h, **m, opt);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error());
  return v.ok() ? v->verdict : Verdict::kUnknown;
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
  EXPECT_EQ(check("register", ok), Verdict::kValid);
  EXPECT_EQ(check("register", bad), Verdict::kInvalid);
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
  EXPECT_EQ(check("cas-register", ok), Verdict::kValid);
  EXPECT_EQ(check("cas-register", bad), Verdict::kInvalid);
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
  EXPECT_EQ(check("register", info), Verdict::kValid);
  EXPECT_EQ(check("register", fail), Verdict::kInvalid);
  EXPECT_EQ(check("register", unmatched), Verdict::kInvalid);  // 3 then nil: nothing writes nil back
}

TEST(Linearizability, IntegerInitialCasRegister) {
  const char* h = R"([{:process 0 :type :invoke :f :cas :value [0 1]} {:process 0 :type :ok :f :cas :value [0 1]}])";
  EXPECT_EQ(check("cas-register", h, {}, "0"), Verdict::kValid);
  EXPECT_EQ(check("cas-register", h), Verdict::kInvalid);
}

TEST(Linearizability, MutexTwins) {
  const char* ok = R"([{:process 0 :type :invoke :f :acquire} {:process 1 :type :invoke :f :acquire}
                       {:process 0 :type :ok :f :acquire} {:process 0 :type :invoke :f :release}
                       {:process 1 :type :ok :f :acquire} {:process 0 :type :ok :f :release}])";
  const char* bad = R"([{:process 0 :type :invoke :f :acquire} {:process 0 :type :ok :f :acquire}
                        {:process 1 :type :invoke :f :acquire} {:process 1 :type :ok :f :acquire}])";
  EXPECT_EQ(check("mutex", ok), Verdict::kValid);
  EXPECT_EQ(check("mutex", bad), Verdict::kInvalid);
}

TEST(Linearizability, QueueAndSetTwins) {
  const char* fifo = R"([{:process 0 :type :invoke :f :enqueue :value 1} {:process 0 :type :ok :f :enqueue :value 1}
                         {:process 0 :type :invoke :f :enqueue :value 2} {:process 0 :type :ok :f :enqueue :value 2}
                         {:process 1 :type :invoke :f :dequeue :value nil} {:process 1 :type :ok :f :dequeue :value 2}])";
  EXPECT_EQ(check("fifo-queue", fifo), Verdict::kInvalid);
  EXPECT_EQ(check("unordered-queue", fifo), Verdict::kValid);
  const char* set_ok = R"([{:process 0 :type :invoke :f :add :value 1} {:process 1 :type :invoke :f :read :value nil}
                           {:process 1 :type :ok :f :read :value #{}} {:process 0 :type :ok :f :add :value 1}])";
  const char* set_bad = R"([{:process 0 :type :invoke :f :add :value 1} {:process 0 :type :ok :f :add :value 1}
                            {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value #{}}])";
  EXPECT_EQ(check("set", set_ok), Verdict::kValid);
  EXPECT_EQ(check("set", set_bad), Verdict::kInvalid);
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
  EXPECT_EQ(check("multi-register", ok), Verdict::kValid);
  EXPECT_EQ(check("multi-register", bad), Verdict::kInvalid);
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
  EXPECT_EQ(check("kv", bad), Verdict::kInvalid);
  EXPECT_EQ(check("kv", bad, split), Verdict::kInvalid);
  auto h = history::parse_history(bad);
  split.threads = 1;
  auto v = check_linearizable(*h, *model::make_model("kv").value(), split);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->keys.size(), 2u);  // "b" is smaller, so searched (valid) before "a" (invalid)
  EXPECT_EQ(*v->keys[0].key, history::Value::string("a"));
  EXPECT_EQ(v->keys[0].verdict, Verdict::kInvalid);
  EXPECT_EQ(v->keys[1].verdict, Verdict::kValid);
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
  ASSERT_EQ(v->verdict, Verdict::kValid);
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
  if (v->verdict != Verdict::kInvalid || v->stats.steps >= 4096) {
    EXPECT_EQ(v->verdict, Verdict::kUnknown);
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
    std::string summary = std::string(to_string(v->verdict)) + " " + std::to_string(v->keys.size());
    for (const auto& k : v->keys) {
      summary += " " + std::string(to_string(k.verdict)) + k.reason;
      if (k.explanation)
        for (size_t p : k.explanation->prefix) summary += "," + std::to_string(p);
    }
    // The verdict never depends on threads; with one thread, neither does anything else.
    if (first_verdict.empty()) first_verdict = std::string(to_string(v->verdict));
    EXPECT_EQ(std::string(to_string(v->verdict)), first_verdict) << "threads=" << threads;
    if (threads != 1) continue;
    if (first.empty()) first = summary;
    EXPECT_EQ(summary, first) << "threads=" << threads;
  }
}

}  // namespace
}  // namespace squall::checker

namespace squall::checker {
namespace {

Result<LinearizabilityResult> check_with(const char* model_name, const std::string& edn, model::ModelOptions mo,
                                         CheckOptions opt = {}) {
  auto h = history::parse_history(edn);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  auto m = model::make_model(model_name, mo);
  EXPECT_TRUE(m.ok());
  return check_linearizable(*h, **m, opt);
}

// Issue 11 item 5: in Knossos's register models a completed read of nil is a read whose
// value is unknown. This history is Knossos-style (cas-register, initial nil, reads
// recorded with nil when the client could not tell): every read of nil happens after the
// register holds a value, so it is valid only under Knossos's meaning.
const char* kKnossosNilReads = R"([
  {:process 0 :type :invoke :f :write :value 0}
  {:process 0 :type :ok :f :write :value 0}
  {:process 1 :type :invoke :f :cas :value [0 3]}
  {:process 2 :type :invoke :f :read :value nil}
  {:process 1 :type :ok :f :cas :value [0 3]}
  {:process 2 :type :ok :f :read :value nil}
  {:process 3 :type :invoke :f :read :value nil}
  {:process 3 :type :ok :f :read :value 3}
  {:process 4 :type :invoke :f :read :value nil}
  {:process 4 :type :ok :f :read :value nil}
  {:process 0 :type :invoke :f :write :value 1}
  {:process 0 :type :ok :f :write :value 1}
  {:process 3 :type :invoke :f :read :value nil}
  {:process 3 :type :ok :f :read :value 1}])";

TEST(Linearizability, NilReadMeansUnknownByDefaultAndNilWhenStrict) {
  for (const char* name : {"cas-register", "register"}) {
    if (std::string(name) == "register") continue;  // the history uses :cas
    auto knossos = check_with(name, kKnossosNilReads, {});
    ASSERT_TRUE(knossos.ok());
    EXPECT_EQ(knossos->verdict, Verdict::kValid) << name;
    model::ModelOptions strict;
    strict.nil_read = model::NilRead::kStrict;
    auto v = check_with(name, kKnossosNilReads, strict);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->verdict, Verdict::kInvalid) << name;
  }
  // A nil read still constrains nothing else: the read of 3 after the write of 1 is wrong
  // under either meaning.
  std::string bad = std::string(kKnossosNilReads);
  bad.replace(bad.rfind(":value 1}"), 9, ":value 3}");
  auto v = check_with("cas-register", bad, {});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kInvalid);
  // In the plain register model too.
  const char* reg = R"([{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
                        {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value nil}])";
  EXPECT_EQ(check_with("register", reg, {})->verdict, Verdict::kValid);
  model::ModelOptions strict;
  strict.nil_read = model::NilRead::kStrict;
  EXPECT_EQ(check_with("register", reg, strict)->verdict, Verdict::kInvalid);
}

// Issue 11 item 6: a kv history is split by key unless told otherwise.
TEST(Linearizability, KvSplitsByKeyByDefault) {
  const char* kv =
      R"([{:process 0 :type :invoke :f :put :key "a" :value "x"} {:process 0 :type :ok :f :put :key "a" :value "x"}
                       {:process 1 :type :invoke :f :get :key "b" :value nil} {:process 1 :type :ok :f :get :key "b" :value ""}
                       {:process 0 :type :invoke :f :get :key "a" :value nil} {:process 0 :type :ok :f :get :key "a" :value "x"}])";
  auto split = check_with("kv", kv, {});
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->verdict, Verdict::kValid);
  EXPECT_EQ(split->keys_total, 2u);
  CheckOptions whole;
  whole.split_by_key = false;
  auto one = check_with("kv", kv, {}, whole);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->verdict, Verdict::kValid);
  EXPECT_EQ(one->keys_total, 1u);
}

// A clock that moves on by a fixed tick each time it is read: time passes only as the
// search polls it, so a time-out happens at the same step on every run and machine.
class TickingClock final : public Clock {
 public:
  explicit TickingClock(int64_t tick_ns) : tick_(tick_ns) {}
  int64_t now_ns() const override { return now_.fetch_add(tick_); }

 private:
  int64_t tick_;
  mutable std::atomic<int64_t> now_{0};
};

// Many concurrent crashed writes and a contradiction late in the history: a search far
// longer than the polls the tests allow it.
std::string hard_history() {
  std::string h = "[";
  for (int p = 0; p < 18; ++p)
    h += "{:process " + std::to_string(p) + " :type :invoke :f :write :value " + std::to_string(p) + "}\n";
  for (int i = 0; i < 300; ++i)
    h += "{:process 100 :type :invoke :f :read :value nil}\n{:process 100 :type :ok :f :read :value " +
         std::to_string(std::min(i, 17)) + "}\n";
  return h + "{:process 100 :type :invoke :f :read :value nil}\n{:process 100 :type :ok :f :read :value 99}]";
}

// Issue 10 item 4: the time budget reads the injected clock, not the host's.
TEST(Linearizability, TimeBudgetFollowsTheInjectedClock) {
  TickingClock clock(1'000'000);  // 1 ms per reading
  CheckOptions opt;
  opt.clock = &clock;
  opt.threads = 1;
  opt.timeout_ms = 20;
  auto v = check_with("register", hard_history(), {}, opt);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, Verdict::kUnknown);
  ASSERT_EQ(v->keys.size(), 1u);
  // The check starts at 0 ms and the search at 1 ms; the k-th poll (every 4096 steps)
  // reads k + 1 ms, so the 20th poll is the first past the 20 ms deadline.
  EXPECT_EQ(v->keys[0].reason, "time budget of 20 ms exceeded after " + std::to_string(20 * 4096) + " steps");
  // Frozen time never runs out, however small the budget: the search runs to its end.
  ManualClock frozen;
  opt.clock = &frozen;
  opt.timeout_ms = 1;
  const char* small = R"([{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}
                          {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value 1}])";
  auto done = check_with("register", small, {}, opt);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->verdict, Verdict::kValid);
  EXPECT_EQ(done->stats.elapsed_ms, 0.0);
}

}  // namespace
}  // namespace squall::checker
