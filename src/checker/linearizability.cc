#include "checker/linearizability.h"

#include <algorithm>
#include <map>
#include <thread>

#include "checker/search.h"

namespace squall::checker {

using history::History;
using history::kNoOp;
using history::OpType;
using history::Value;

namespace {

// Splits the history into sub-histories (one per key when splitting), registering each
// call with the key's model session. Sub-histories come out in key order.
Result<std::vector<SubHistory>> prepare(const History& h, const model::Model& m, bool split) {
  std::map<std::optional<Value>, size_t> index;
  std::vector<SubHistory> subs;
  struct Pending {
    uint32_t model_call;
    size_t invoke;
    int64_t complete;
  };
  std::vector<std::vector<Pending>> done, open;
  for (const auto& call : h.calls()) {
    if (call.outcome == OpType::kFail) continue;  // it did not happen
    const auto& inv = h[call.invoke];
    std::optional<Value> key = split ? inv.key : std::nullopt;
    auto [it, inserted] = index.try_emplace(key, subs.size());
    if (inserted) {
      subs.emplace_back();
      subs.back().key = key;
      subs.back().session = m.new_session();
      done.emplace_back();
      open.emplace_back();
    }
    SubHistory& sub = subs[it->second];
    sub.all_invocations.push_back(call.invoke);
    bool ok = call.outcome == OpType::kOk;
    auto id = sub.session->add_call(inv, ok ? &h[static_cast<size_t>(call.complete)] : nullptr);
    if (!id.ok()) return Error{id.error()};
    if (*id == model::kDropped) continue;
    Pending p{static_cast<uint32_t>(*id), call.invoke, ok ? call.complete : kNoOp};
    (ok ? done : open)[it->second].push_back(p);
  }
  // Order each sub-history's calls: completed first, then pending (see LinearizedSet).
  std::vector<SubHistory> ordered;
  for (const auto& [key, i] : index) {
    SubHistory& sub = subs[i];
    // Pending calls whose effect nothing in the whole history could observe never need to
    // take effect; leaving them out keeps crashed writes from multiplying the search.
    std::erase_if(open[i], [&](const Pending& p) { return sub.session->unobservable(p.model_call); });
    for (const auto* group : {&done[i], &open[i]})
      for (const Pending& p : *group) {
        sub.model_call.push_back(p.model_call);
        sub.invoke.push_back(p.invoke);
        sub.complete.push_back(p.complete);
      }
    sub.completed = static_cast<uint32_t>(done[i].size());
    ordered.push_back(std::move(sub));
  }
  return ordered;
}

bool has_keys(const History& h) {
  return std::any_of(h.ops().begin(), h.ops().end(), [](const auto& op) { return op.key.has_value(); });
}

}  // namespace

Result<LinearizabilityResult> check_linearizable(const History& h, const model::Model& m, const CheckOptions& options) {
  static const SteadyClock steady;
  const Clock* clock = options.clock != nullptr ? options.clock : &steady;
  const int64_t start_ns = clock->now_ns();
  bool split = (options.split_by_key || !m.multi_key()) && has_keys(h);
  auto prepared = prepare(h, m, split);
  if (!prepared.ok()) return Error{prepared.error()};
  std::vector<SubHistory>& subs = *prepared;

  Budget budget;
  budget.clock = clock;
  budget.timeout_ms = options.timeout_ms;
  // Saturating: a huge time-out means none rather than a deadline that wrapped around.
  if (options.timeout_ms != 0 && options.timeout_ms < static_cast<uint64_t>(INT64_MAX - start_ns) / 1'000'000)
    budget.deadline_ns = start_ns + static_cast<int64_t>(options.timeout_ms) * 1'000'000;
  budget.memory_limit_bytes = options.memory_limit_bytes;

  // Smaller keys first: they finish fast, and an invalid one stops the big ones early.
  std::vector<size_t> schedule(subs.size());
  for (size_t i = 0; i < subs.size(); ++i) schedule[i] = i;
  std::stable_sort(schedule.begin(), schedule.end(),
                   [&](size_t a, size_t b) { return subs[a].model_call.size() < subs[b].model_call.size(); });
  std::vector<std::optional<KeyResult>> results(subs.size());
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    while (true) {
      size_t at = next.fetch_add(1);
      if (at >= schedule.size()) return;
      if (budget.invalid_found.load()) return;
      size_t i = schedule[at];
      bool cancelled = false;
      KeyResult r = search(subs[i], budget, options.want_linearization, options.explain, &cancelled);
      r.key = subs[i].key;
      subs[i].session.reset();  // free the model's states early
      if (cancelled) continue;
      if (r.verdict == Verdict::kInvalid) budget.invalid_found.store(true);
      results[i] = std::move(r);
    }
  };
  size_t threads = options.threads > 0 ? static_cast<size_t>(options.threads)
                                       : std::min<size_t>(8, std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, subs.size());
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }

  LinearizabilityResult v;
  v.model = std::string(m.name());
  v.keys_total = subs.size();
  for (auto& r : results) {
    if (!r) continue;
    v.verdict = merge(v.verdict, r->verdict);
    v.stats.steps += r->stats.steps;
    v.stats.configurations += r->stats.configurations;
    v.stats.peak_bytes = std::max(v.stats.peak_bytes, r->stats.peak_bytes);
    v.keys.push_back(std::move(*r));
  }
  // Every key was searched unless one was invalid.
  SQ_ASSERT(v.verdict == Verdict::kInvalid || v.keys.size() == subs.size());
  v.keys_not_reported = subs.size() - v.keys.size();
  v.stats.elapsed_ms = static_cast<double>(clock->now_ns() - start_ns) / 1e6;
  return v;
}

}  // namespace squall::checker
