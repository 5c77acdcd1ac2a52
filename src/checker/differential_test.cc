// Randomized differential test: small generated histories (with crashes and injected stale
// reads) checked by the search and by a brute-force enumeration of all orders.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "checker/linearizability.h"
#include "checker/testing/history_gen.h"

namespace squall::checker {
namespace {

struct BruteCall {
  uint32_t model_call;
  size_t invoke;
  size_t complete;  // SIZE_MAX when pending
};

// Tries every order of calls consistent with real time; pending calls may be left out.
bool brute(model::Session& s, std::vector<BruteCall>& calls, std::vector<bool>& used, uint32_t state) {
  size_t earliest_return = SIZE_MAX;
  bool all_done = true;
  for (size_t i = 0; i < calls.size(); ++i)
    if (!used[i] && calls[i].complete != SIZE_MAX) {
      all_done = false;
      earliest_return = std::min(earliest_return, calls[i].complete);
    }
  if (all_done) return true;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (used[i] || calls[i].invoke > earliest_return) continue;
    int64_t next = s.step(state, calls[i].model_call);
    if (next == model::kIllegal) continue;
    used[i] = true;
    bool ok = brute(s, calls, used, static_cast<uint32_t>(next));
    used[i] = false;
    if (ok) return true;
  }
  return false;
}

Verdict brute_check(const history::History& h, const model::Model& m) {
  auto s = m.new_session();
  std::vector<BruteCall> calls;
  for (const auto& c : h.calls()) {
    if (c.outcome == history::OpType::kFail) continue;
    bool ok = c.outcome == history::OpType::kOk;
    auto id = s->add_call(h[c.invoke], ok ? &h[static_cast<size_t>(c.complete)] : nullptr);
    if (!id.ok() || *id == model::kDropped) continue;
    calls.push_back({static_cast<uint32_t>(*id), c.invoke, ok ? static_cast<size_t>(c.complete) : SIZE_MAX});
  }
  std::vector<bool> used(calls.size(), false);
  return brute(*s, calls, used, s->initial_state()) ? Verdict::kValid : Verdict::kInvalid;
}

// The generator's histories read nil from the empty register: nil reads are values.
std::unique_ptr<model::Model> strict_cas_register() {
  model::ModelOptions mo;
  mo.nil_read = model::NilRead::kStrict;
  return model::make_model("cas-register", mo).value();
}

void compare_on(uint64_t seed, uint32_t processes, uint32_t ops, uint32_t crash, uint32_t stale,
                uint32_t* invalid_seen) {
  GenOptions g;
  g.seed = seed;
  g.processes = processes;
  g.ops = ops;
  g.values = 3;
  g.crash_percent = crash;
  g.stale_read_percent = stale;
  auto h = generate_register_history(g);
  auto m = strict_cas_register();
  auto v = check_linearizable(h, *m);
  ASSERT_TRUE(v.ok());
  Verdict expected = brute_check(h, *m);
  ASSERT_EQ(v->verdict, expected) << "seed=" << seed << " processes=" << processes << " ops=" << ops
                                  << " crash=" << crash << " stale=" << stale;
  if (expected == Verdict::kInvalid) ++*invalid_seen;
}

// kv histories exercise growth pruning (appends, gets) and dropped pending puts/appends;
// split by key and whole must both agree with the brute force over the whole history.
void compare_kv_on(uint64_t seed, uint32_t processes, uint32_t ops, uint32_t keys, uint32_t crash, uint32_t stale,
                   uint32_t* invalid_seen) {
  GenOptions g;
  g.seed = seed;
  g.processes = processes;
  g.ops = ops;
  g.keys = keys;
  g.crash_percent = crash;
  g.stale_read_percent = stale;
  auto h = generate_kv_history(g);
  auto m = model::make_model("kv").value();
  Verdict expected = brute_check(h, *m);
  CheckOptions split;
  split.split_by_key = true;
  for (const CheckOptions& opt : {CheckOptions{}, split}) {
    auto v = check_linearizable(h, *m, opt);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(v->verdict, expected) << "seed=" << seed << " processes=" << processes << " ops=" << ops
                                    << " keys=" << keys << " crash=" << crash << " stale=" << stale
                                    << " split=" << opt.split_by_key;
  }
  if (expected == Verdict::kInvalid) ++*invalid_seen;
}

TEST(Differential, KvSearchAgreesWithBruteForce) {
  uint32_t invalid = 0;
  for (uint64_t seed = 1; seed <= 1200; ++seed) {
    compare_kv_on(seed, 2 + seed % 3, 3 + seed % 6, 1 + seed % 2, static_cast<uint32_t>((seed * 7) % 60),
                  static_cast<uint32_t>((seed * 13) % 60), &invalid);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(invalid, 60u);
  EXPECT_LT(invalid, 1100u);
}

TEST(Differential, SearchAgreesWithBruteForce) {
  uint32_t invalid = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    compare_on(seed, 2 + seed % 3, 3 + seed % 6, static_cast<uint32_t>((seed * 7) % 50),
               static_cast<uint32_t>((seed * 13) % 80), &invalid);
    if (HasFatalFailure()) return;
  }
  // Both verdicts must occur, or the comparison proves little.
  EXPECT_GT(invalid, 80u);
  EXPECT_LT(invalid, 1400u);
}

RC_GTEST_PROP(Differential, RandomShapes, ()) {
  uint64_t seed = *rc::gen::inRange<uint64_t>(1, 1u << 30);
  uint32_t processes = *rc::gen::inRange<uint32_t>(1, 5);
  uint32_t ops = *rc::gen::inRange<uint32_t>(1, 9);
  uint32_t crash = *rc::gen::inRange<uint32_t>(0, 60);
  uint32_t stale = *rc::gen::inRange<uint32_t>(0, 50);
  GenOptions g{seed, processes, ops, 0, 3, crash, stale, true};
  auto h = generate_register_history(g);
  auto m = strict_cas_register();
  auto v = check_linearizable(h, *m);
  RC_ASSERT(v.ok());
  RC_ASSERT(v->verdict == brute_check(h, *m));
}

}  // namespace
}  // namespace squall::checker
