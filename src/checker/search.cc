#include "checker/search.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "checker/linearized_set.h"
#include "checker/memo_table.h"
#include "core/rng.h"
#include "model/flat_map.h"

namespace squall::checker {

namespace {

constexpr int32_t kNil = -1;
constexpr uint64_t kPollMask = 4095;  // budgets are polled every 4096 steps
constexpr size_t kStatesKept = 4096;  // distinct stuck states remembered for explanations
constexpr size_t kStatesShown = 16;

// The event list of Lowe's algorithm as arrays: node 0 is the head, node 1+2i is the
// invocation of call i, node 2+2i its completion. Lifting a linearized call unlinks both
// nodes; unlifting relinks them (dancing links, undone in LIFO order).
class EventList {
 public:
  EventList(const SubHistory& sub)
      : next_(2 * sub.model_call.size() + 2, kNil), prev_(next_.size(), kNil), completed_(sub.completed) {
    struct Ev {
      size_t pos;
      int32_t node;
    };
    std::vector<Ev> evs;
    for (uint32_t i = 0; i < sub.model_call.size(); ++i) {
      evs.push_back({sub.invoke[i], static_cast<int32_t>(1 + 2 * i)});
      if (i < sub.completed) evs.push_back({static_cast<size_t>(sub.complete[i]), static_cast<int32_t>(2 + 2 * i)});
    }
    std::sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.pos < b.pos; });
    int32_t last = 0;
    for (const Ev& e : evs) {
      next_[last] = e.node;
      prev_[e.node] = last;
      last = e.node;
    }
  }
  int32_t first() const { return next_[0]; }
  int32_t next(int32_t node) const { return next_[node]; }
  void lift(uint32_t call) {
    unlink(static_cast<int32_t>(1 + 2 * call));
    if (call < completed_) unlink(static_cast<int32_t>(2 + 2 * call));
  }
  void unlift(uint32_t call) {
    if (call < completed_) relink(static_cast<int32_t>(2 + 2 * call));
    relink(static_cast<int32_t>(1 + 2 * call));
  }

 private:
  void unlink(int32_t x) {
    next_[prev_[x]] = next_[x];
    if (next_[x] != kNil) prev_[next_[x]] = prev_[x];
  }
  void relink(int32_t x) {
    next_[prev_[x]] = x;
    if (next_[x] != kNil) prev_[next_[x]] = x;
  }
  std::vector<int32_t> next_, prev_;
  uint32_t completed_;
};

// For each pending call, the previous pending call of the same class (or kNil): the
// search linearizes equal pending calls in invocation order only.
std::vector<int32_t> pending_twins(const SubHistory& sub) {
  std::vector<int32_t> twin(sub.model_call.size(), kNil);
  std::unordered_map<uint32_t, int32_t> last;
  for (uint32_t i = sub.completed; i < sub.model_call.size(); ++i) {
    uint32_t cls = sub.session->call_class(sub.model_call[i]);
    auto [it, inserted] = last.try_emplace(cls, static_cast<int32_t>(i));
    if (!inserted) {
      twin[i] = it->second;
      it->second = static_cast<int32_t>(i);
    }
  }
  return twin;
}

std::string mb(uint64_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

// Growth pruning (see Session::grows). A completed call g is "protected" when every call
// that does not grow the state and was invoked before g's completion is already
// linearized: then everything that can still be linearized before g grows the state, and
// if g can become legal in no larger state, the configuration is dead. Non-growing calls
// are ranked by invocation; `done` is the length of the prefix of ranks all linearized,
// so g is protected iff done >= before_ret[g].
class GrowthGuard {
 public:
  GrowthGuard(const SubHistory& sub, const model::Session& session) {
    const uint32_t n = static_cast<uint32_t>(sub.model_call.size());
    std::vector<std::pair<size_t, uint32_t>> fixed;  // (invocation, call) of non-growing calls
    bool any_growth = false;
    for (uint32_t i = 0; i < n; ++i) {
      if (session.grows(sub.model_call[i]))
        any_growth = true;
      else
        fixed.emplace_back(sub.invoke[i], i);
    }
    if (!any_growth) return;
    enabled_ = true;
    std::sort(fixed.begin(), fixed.end());
    rank_.assign(n, kNoRank);
    for (uint32_t r = 0; r < fixed.size(); ++r) rank_[fixed[r].second] = r;
    linearized_.assign(fixed.size(), 0);
    before_ret_.resize(sub.completed);
    for (uint32_t g = 0; g < sub.completed; ++g) {
      auto at = std::lower_bound(fixed.begin(), fixed.end(),
                                 std::make_pair(static_cast<size_t>(sub.complete[g]), uint32_t{0}));
      before_ret_[g] = static_cast<uint32_t>(at - fixed.begin());
    }
  }
  bool enabled() const { return enabled_; }
  bool is_protected(uint32_t completed_call) const { return done_ >= before_ret_[completed_call]; }
  void insert(uint32_t call) {
    if (!enabled_ || rank_[call] == kNoRank) return;
    linearized_[rank_[call]] = 1;
    while (done_ < linearized_.size() && linearized_[done_]) ++done_;
  }
  void erase(uint32_t call) {
    if (!enabled_ || rank_[call] == kNoRank) return;
    linearized_[rank_[call]] = 0;
    done_ = std::min(done_, rank_[call]);
  }

 private:
  static constexpr uint32_t kNoRank = UINT32_MAX;
  bool enabled_ = false;
  std::vector<uint32_t> rank_;        // by call: rank among non-growing calls, or kNoRank
  std::vector<uint8_t> linearized_;   // by rank
  std::vector<uint32_t> before_ret_;  // by completed call
  uint32_t done_ = 0;
};

}  // namespace

KeyResult search(SubHistory& sub, Budget& budget, bool want_linearization, bool explain, bool* cancelled) {
  *cancelled = false;
  const int64_t start_ns = budget.clock->now_ns();
  KeyResult r;
  r.calls = sub.all_invocations;
  const uint32_t n = static_cast<uint32_t>(sub.model_call.size());
  const uint32_t nc = sub.completed;
  model::Session& session = *sub.session;

  EventList events(sub);
  std::vector<int32_t> twin = pending_twins(sub);
  Rng rng(0x5351A11C0FFEEULL);  // fixed: hashes never reach output, but runs stay identical
  std::vector<uint64_t> zobrist(n);
  for (auto& z : zobrist) z = rng.next();
  LinearizedSet set(nc, n - nc, std::move(zobrist));
  MemoTable memo;
  std::vector<uint32_t> stack_call(n), stack_state(n);
  std::vector<uint8_t> stack_forced(n), read_only(n);
  for (uint32_t i = 0; i < n; ++i) read_only[i] = session.read_only(sub.model_call[i]);
  uint32_t depth = 0, max_depth = 0;

  // Explanation: the deepest prefix at which the search got stuck, the call whose
  // completion it reached, and the states it was stuck in there.
  std::vector<uint32_t> best_prefix;
  int64_t failing = kNil;
  uint32_t snapshot_depth = 0;
  bool have_snapshot = false;
  // Distinct stuck states, in first-seen order (sorted when rendered).
  std::vector<uint32_t> stuck_states;
  model::FlatMap64 stuck_seen;
  GrowthGuard growth(sub, session);

  uint32_t state = session.initial_state();
  uint32_t remaining = nc;
  int32_t entry = events.first();
  uint64_t steps = 0, reported_bytes = 0;
  bool stopped = false;

  while (remaining > 0) {
    if ((++steps & kPollMask) == 0) {
      uint64_t bytes = memo.memory_bytes() + session.memory_bytes() + 16ULL * n;
      if (bytes > reported_bytes)
        budget.bytes_in_use.fetch_add(bytes - reported_bytes);
      else
        budget.bytes_in_use.fetch_sub(reported_bytes - bytes);
      reported_bytes = bytes;
      if (budget.invalid_found.load(std::memory_order_relaxed)) {
        r.verdict = Verdict::kUnknown;
        r.reason = "cancelled: another key is invalid";
        *cancelled = true;
        stopped = true;
      } else if (budget.memory_limit_bytes != 0 && budget.bytes_in_use.load() > budget.memory_limit_bytes) {
        r.verdict = Verdict::kUnknown;
        r.reason = "memory budget of " + mb(budget.memory_limit_bytes) + " exceeded after " +
                   std::to_string(memo.size()) + " configurations";
        stopped = true;
      } else if (budget.clock->now_ns() > budget.deadline_ns) {
        r.verdict = Verdict::kUnknown;
        r.reason = "time budget of " + std::to_string(budget.timeout_ms) + " ms exceeded after " +
                   std::to_string(steps) + " steps";
        stopped = true;
      }
      if (stopped) break;
    }
    SQ_ASSERT_NE(entry, kNil);  // a completion node always precedes the end of the list
    const uint32_t call = static_cast<uint32_t>((entry - 1) / 2);
    bool dead_end = false;       // a memo hit: nothing to explain
    if ((entry - 1) % 2 == 0) {  // an invocation: try to linearize the call here
      if (call >= nc && twin[call] != kNil && !set.contains(static_cast<uint32_t>(twin[call]))) {
        entry = events.next(entry);
        continue;
      }
      int64_t next_state = session.step(state, sub.model_call[call]);
      if (next_state == model::kIllegal) {
        // Not legal yet. If it can never become legal before its deadline, this
        // configuration fails here (explained as if its completion had been reached).
        if (!(growth.enabled() && call < nc && growth.is_protected(call) &&
              !session.may_become_legal(state, sub.model_call[call]))) {
          entry = events.next(entry);
          continue;
        }
      } else {
        const bool forced = read_only[call];
        set.insert(call);
        if (memo.insert(set, static_cast<uint32_t>(next_state))) {
          stack_call[depth] = call;
          stack_state[depth] = state;
          stack_forced[depth] = forced;
          ++depth;
          max_depth = std::max(max_depth, depth);
          state = static_cast<uint32_t>(next_state);
          events.lift(call);
          growth.insert(call);
          if (call < nc) --remaining;
          entry = events.first();
          continue;
        }
        set.erase(call);
        // A legal read whose successor was already explored: reading here is as good as
        // reading anywhere later, so this whole configuration is explored too.
        if (!forced) {
          entry = events.next(entry);
          continue;
        }
        dead_end = true;
      }
    }
    if (!dead_end && explain) {
      // A completion: its call was not linearized in time on this path.
      if (depth == max_depth && !(have_snapshot && snapshot_depth == depth)) {
        best_prefix.assign(stack_call.begin(), stack_call.begin() + depth);
        failing = call;
        snapshot_depth = depth;
        have_snapshot = true;
        stuck_states.clear();
        stuck_seen = model::FlatMap64();
      }
      if (have_snapshot && depth == snapshot_depth && call == failing && stuck_states.size() < kStatesKept &&
          !stuck_seen.find(state)) {
        stuck_seen.put(state, 1);
        stuck_states.push_back(state);
      }
    }
    // Backtrack; a read linearized as soon as it was legal is never tried later instead.
    bool exhausted = false;
    while (true) {
      if (depth == 0) {
        exhausted = true;
        break;
      }
      --depth;
      const uint32_t undo = stack_call[depth];
      state = stack_state[depth];
      set.erase(undo);
      events.unlift(undo);
      growth.erase(undo);
      if (undo < nc) ++remaining;
      entry = events.next(static_cast<int32_t>(1 + 2 * undo));
      if (!stack_forced[depth]) break;
    }
    if (exhausted) {
      r.verdict = Verdict::kInvalid;
      break;
    }
  }

  if (r.verdict == Verdict::kValid && want_linearization)
    for (uint32_t i = 0; i < depth; ++i) r.linearization.push_back(sub.invoke[stack_call[i]]);
  if (r.verdict == Verdict::kInvalid) {
    size_t fop = sub.invoke[static_cast<size_t>(failing)];
    r.reason = "op #" + std::to_string(fop) + " cannot be linearized after a prefix of " +
               std::to_string(best_prefix.size()) + " ops";
    if (explain) {
      Explanation e;
      e.failing_op = fop;
      for (uint32_t c : best_prefix) e.prefix.push_back(sub.invoke[c]);
      std::vector<std::string> rendered;
      for (uint32_t s : stuck_states) rendered.push_back(session.describe_state(s));
      std::sort(rendered.begin(), rendered.end());
      rendered.erase(std::unique(rendered.begin(), rendered.end()), rendered.end());
      e.states_total = rendered.size();
      if (rendered.size() > kStatesShown) rendered.resize(kStatesShown);
      e.states = std::move(rendered);
      r.explanation = std::move(e);
    }
  }
  r.stats.steps = steps;
  r.stats.configurations = memo.size();
  r.stats.peak_bytes = memo.memory_bytes() + session.memory_bytes() + 16ULL * n;
  r.stats.elapsed_ms = static_cast<double>(budget.clock->now_ns() - start_ns) / 1e6;
  budget.bytes_in_use.fetch_sub(reported_bytes);
  return r;
}

}  // namespace squall::checker
