#include "checker/counter.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "checker/result_map.h"

namespace squall::checker {

using history::OpType;
using history::Value;

namespace {

struct Ranges {
  std::vector<std::pair<int64_t, int64_t>> spans;  // disjoint, sorted, inclusive
  bool contains(int64_t v) const {
    for (auto [lo, hi] : spans)
      if (v >= lo && v <= hi) return true;
    return false;
  }
};

Ranges acceptable(int64_t ok_sum, const std::vector<int64_t>& info_deltas) {
  int64_t neg = 0, pos = 0, cells = 0;
  for (int64_t d : info_deltas) (d < 0 ? neg : pos) += d;
  int64_t width = pos - neg + 1;
  cells = width * static_cast<int64_t>(info_deltas.size());
  Ranges r;
  if (info_deltas.empty()) {
    r.spans.push_back({ok_sum, ok_sum});
    return r;
  }
  if (cells > kSubsetCellLimit) {
    r.spans.push_back({ok_sum + neg, ok_sum + pos});
    return r;
  }
  std::vector<uint8_t> reach(static_cast<size_t>(width), 0);
  reach[static_cast<size_t>(-neg)] = 1;  // the empty subset
  for (int64_t d : info_deltas) {
    std::vector<uint8_t> next = reach;
    for (int64_t i = 0; i < width; ++i) {
      if (!reach[static_cast<size_t>(i)]) continue;
      int64_t j = i + d;
      if (j >= 0 && j < width) next[static_cast<size_t>(j)] = 1;
    }
    reach.swap(next);
  }
  for (int64_t i = 0; i < width; ++i) {
    if (!reach[static_cast<size_t>(i)]) continue;
    int64_t v = ok_sum + neg + i;
    if (!r.spans.empty() && r.spans.back().second == v - 1) {
      r.spans.back().second = v;
    } else {
      r.spans.push_back({v, v});
    }
  }
  return r;
}

}  // namespace

Value check_counter(const CounterHistory& history) {
  int64_t ok_sum = 0, ok_adds = 0;
  std::vector<int64_t> info_deltas;
  std::vector<const CounterRead*> reads, finals;
  std::vector<std::pair<int64_t, int64_t>> add_invocations;  // (invoke time, delta), not failed
  for (const CounterAdd& add : history.adds) {
    if (add.outcome == OpType::kOk) {
      ok_sum += add.delta;
      ++ok_adds;
    } else if (add.outcome == OpType::kInfo) {
      info_deltas.push_back(add.delta);
    }
    if (add.outcome != OpType::kFail) add_invocations.emplace_back(add.invoke_ns, add.delta);
  }
  for (const CounterRead& r : history.reads) (r.final ? finals : reads).push_back(&r);
  Ranges ok_range = acceptable(ok_sum, info_deltas);
  Value errors = Value::vector();
  int64_t error_count = 0;
  auto note = [&](const CounterRead& r, const std::string& why) {
    ++error_count;
    if (errors.items().size() >= 8) return;
    Value e = Value::array_map();
    e.set("node", r.node);
    e.set("value", r.value);
    e.set("index", r.index);
    e.set("final?", r.final);
    e.set("problem", why);
    errors.push(std::move(e));
  };
  for (const CounterRead* p : finals) {
    const CounterRead& r = *p;
    if (!ok_range.contains(r.value)) {
      note(r, fmt::format("final read {} is not the sum of the ok adds ({}) plus a subset of the {} indeterminate adds",
                          r.value, ok_sum, info_deltas.size()));
    }
  }
  for (const CounterRead* p : reads) {
    const CounterRead& r = *p;
    int64_t lo = 0, hi = 0;
    for (auto [t, d] : add_invocations) {
      if (t > r.complete_ns) break;
      (d < 0 ? lo : hi) += d;
    }
    if (r.value < lo || r.value > hi) {
      note(r, fmt::format("read {} outside [{}, {}], what the adds invoked before it could produce", r.value, lo, hi));
    }
  }
  Value acc = Value::vector();
  for (size_t k = 0; k < ok_range.spans.size() && k < 16; ++k) {
    Value span = Value::vector();
    span.push(ok_range.spans[k].first);
    span.push(ok_range.spans[k].second);
    acc.push(std::move(span));
  }
  Value final_values = Value::vector();
  for (const CounterRead* p : finals) final_values.push(p->value);
  Value r = Value::array_map();
  if (error_count == 0 && finals.empty()) {
    set_unknown(&r, "no final read succeeded, so the counter's converged value is unknown");
  } else {
    r.set("valid?", verdict_value(error_count > 0 ? Verdict::kInvalid : Verdict::kValid));
  }
  r.set("final-reads", std::move(final_values));
  r.set("acceptable", std::move(acc));
  r.set("ok-add-count", ok_adds);
  r.set("ok-add-sum", ok_sum);
  r.set("indeterminate-add-count", static_cast<int64_t>(info_deltas.size()));
  r.set("error-count", error_count);
  r.set("errors", std::move(errors));
  return r;
}

}  // namespace squall::checker
