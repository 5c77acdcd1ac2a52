// The txn checker against a brute-force oracle on thousands of small generated histories.
//
// The oracle tries every order of the committed transactions (respecting real time for
// strict serializability), replays it on a fresh store and accepts if every read matches.
// List-append histories end with a transaction that reads every key after all others, so
// each key's whole version order is observed; then dependency-graph inference is exact
// and the checker must agree with the oracle both ways. For rw-register the version order
// is only partly inferable, so the check is one-sided: whatever the checker rules out,
// the oracle must rule out too.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "checker/txn/checker.h"
#include "checker/txn/convert.h"
#include "core/rng.h"
#include "history/history.h"

namespace squall::checker::txn {
namespace {

using history::Value;

struct GenMop {
  bool read;
  int key;
  int64_t value;               // write / append
  std::vector<int64_t> list;   // list read
  std::optional<int64_t> reg;  // register read (nullopt: nil)
};
struct GenTxn {
  std::vector<GenMop> mops;
  bool failed = false;
  int invoke = 0, complete = 0;  // event positions
};

constexpr int kKeys = 2;

// A history produced by a serial execution whose reads are sometimes stale.
std::vector<GenTxn> generate(Rng& rng, bool list_append) {
  int n = static_cast<int>(rng.range(2, 5));
  std::vector<GenTxn> txns(static_cast<size_t>(n));
  int64_t next_value = 1;
  for (auto& t : txns) {
    int len = static_cast<int>(rng.range(1, 3));
    for (int i = 0; i < len; ++i) {
      GenMop m{rng.below(2) == 0, static_cast<int>(rng.below(kKeys)), 0, {}, std::nullopt};
      if (!m.read) m.value = next_value++;
      t.mops.push_back(m);
    }
    t.failed = rng.below(8) == 0;
  }
  // Execute in a random order; each key keeps its list of versions.
  std::vector<size_t> order(txns.size());
  std::iota(order.begin(), order.end(), 0);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<std::vector<int64_t>> state(kKeys);  // list-append lists; rw: the versions written
  for (size_t ti : order) {
    GenTxn& t = txns[ti];
    auto local = state;
    for (auto& m : t.mops) {
      auto& s = local[static_cast<size_t>(m.key)];
      if (!m.read) {
        s.push_back(m.value);
        continue;
      }
      // Stale with probability 1/4: an earlier version of the key.
      size_t len = s.size();
      if (rng.below(4) == 0 && len > 0) len = rng.below(len + 1);
      if (list_append)
        m.list.assign(s.begin(), s.begin() + static_cast<long>(len));
      else if (len > 0)
        m.reg = s[len - 1];
    }
    if (!t.failed) state = local;
  }
  // Invocation and completion positions: a random interleaving that keeps each txn's
  // invocation before its completion.
  std::vector<int> events;
  for (int i = 0; i < n; ++i) events.insert(events.end(), {i, i});
  for (size_t i = events.size(); i > 1; --i) std::swap(events[i - 1], events[rng.below(i)]);
  std::vector<int> seen(static_cast<size_t>(n), 0);
  for (int pos = 0; pos < static_cast<int>(events.size()); ++pos) {
    auto& t = txns[static_cast<size_t>(events[static_cast<size_t>(pos)])];
    (seen[static_cast<size_t>(events[static_cast<size_t>(pos)])]++ == 0 ? t.invoke : t.complete) = pos;
  }
  if (list_append) {
    GenTxn final;
    for (int k = 0; k < kKeys; ++k) final.mops.push_back({true, k, 0, state[static_cast<size_t>(k)], std::nullopt});
    final.invoke = final.complete = 1000;
    txns.push_back(final);
  }
  return txns;
}

Value mops_value(const GenTxn& t, bool list_append, bool with_reads) {
  Value v = Value::vector();
  for (const auto& m : t.mops) {
    Value x;
    if (!m.read) {
      x = Value(m.value);
    } else if (with_reads) {
      if (list_append) {
        x = Value::vector();
        for (int64_t e : m.list) x.push(Value(e));
      } else if (m.reg) {
        x = Value(*m.reg);
      }
    }
    v.push(Value::vector({Value::keyword(!m.read ? (list_append ? "append" : "w") : "r"), Value(m.key), x}));
  }
  return v;
}

history::History to_history(const std::vector<GenTxn>& txns, bool list_append) {
  struct Ev {
    int pos;
    size_t txn;
    bool complete;
  };
  std::vector<Ev> evs;
  for (size_t i = 0; i < txns.size(); ++i) {
    evs.push_back({txns[i].invoke * 2, i, false});
    evs.push_back({txns[i].complete * 2 + 1, i, true});
  }
  std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.pos < b.pos; });
  history::History h;
  for (const Ev& e : evs) {
    history::Op op;
    op.process = static_cast<int64_t>(e.txn);
    op.f = "txn";
    const GenTxn& t = txns[e.txn];
    op.type = !e.complete ? OpType::kInvoke : t.failed ? OpType::kFail : OpType::kOk;
    op.value = mops_value(t, list_append, e.complete && !t.failed);
    EXPECT_TRUE(h.append(std::move(op)).ok());
  }
  return h;
}

bool replays(const std::vector<const GenTxn*>& order, bool list_append) {
  std::vector<std::vector<int64_t>> state(kKeys);
  for (const GenTxn* t : order)
    for (const auto& m : t->mops) {
      auto& s = state[static_cast<size_t>(m.key)];
      if (!m.read) {
        s.push_back(m.value);
      } else if (list_append) {
        if (m.list != s) return false;
      } else {
        std::optional<int64_t> cur;
        if (!s.empty()) cur = s.back();
        if (m.reg != cur) return false;
      }
    }
  return true;
}

bool oracle(const std::vector<GenTxn>& txns, bool list_append, bool strict) {
  std::vector<const GenTxn*> ok;
  for (const auto& t : txns)
    if (!t.failed) ok.push_back(&t);
  std::sort(ok.begin(), ok.end());
  do {
    bool respects = true;
    for (size_t i = 0; i < ok.size() && respects && strict; ++i)
      for (size_t j = i + 1; j < ok.size() && respects; ++j)
        if (ok[j]->complete < ok[i]->invoke) respects = false;
    if (respects && replays(ok, list_append)) return true;
  } while (std::next_permutation(ok.begin(), ok.end()));
  return false;
}

bool checker_accepts(const history::History& h, bool list_append, const std::string& model) {
  Workload w = list_append ? Workload::kListAppend : Workload::kRwRegister;
  auto th = from_history(h, w);
  EXPECT_TRUE(th.ok());
  Options o;
  o.workload = w;
  o.consistency_models = {model};
  auto r = check(*th, o);
  EXPECT_NE(r.verdict, Verdict::kUnknown);
  return r.verdict == Verdict::kValid;
}

TEST(TxnDifferential, ListAppendAgreesWithBruteForce) {
  Rng rng(20260315);
  int agree = 0, invalid = 0;
  for (int i = 0; i < 4000; ++i) {
    auto txns = generate(rng, true);
    auto h = to_history(txns, true);
    for (bool strict : {false, true}) {
      bool want = oracle(txns, true, strict);
      bool got = checker_accepts(h, true, strict ? "strict-serializable" : "serializable");
      ASSERT_EQ(got, want) << "case " << i << (strict ? " strict" : "") << "\n"
                           << [&] {
                                std::string s;
                                for (const auto& op : h.ops()) s += history::describe(op) + "\n";
                                return s;
                              }();
      ++agree;
      invalid += !want;
    }
  }
  // The generator must produce both kinds, or the agreement says little.
  EXPECT_GT(invalid, 500);
  EXPECT_GT(agree - invalid, 500);
}

TEST(TxnDifferential, RwRegisterNeverRulesOutWhatBruteForceAccepts) {
  Rng rng(77);
  int invalid = 0, caught = 0;
  for (int i = 0; i < 4000; ++i) {
    auto txns = generate(rng, false);
    auto h = to_history(txns, false);
    for (bool strict : {false, true}) {
      bool want = oracle(txns, false, strict);
      bool got = checker_accepts(h, false, strict ? "strict-serializable" : "serializable");
      if (want) {
        ASSERT_TRUE(got) << "case " << i << (strict ? " strict" : "");
      }
      invalid += !want;
      caught += !want && !got;
    }
  }
  EXPECT_GT(invalid, 300);
  EXPECT_GT(caught, invalid / 3);  // the inference finds a good share of what it cannot prove
}

}  // namespace
}  // namespace squall::checker::txn
