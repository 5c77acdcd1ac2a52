// g-counter and pn-counter: adds of small deltas mixed 50/50 with reads.
//
// Checker: every final read must equal the sum of the ok adds plus the deltas of some
// subset of the indeterminate (:info) adds; failed adds surely did not happen. The set
// of reachable subset sums is computed exactly (a bitset over the delta range) while it
// stays under kSubsetCellLimit cells, else relaxed to the interval between the sum of
// the negative and the sum of the positive indeterminate deltas. Every other read must
// lie within what adds invoked before the read completed could possibly have produced.
#include <fmt/format.h>

#include <algorithm>

#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

constexpr int64_t kSubsetCellLimit = 50'000'000;

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

class Counter final : public Workload {
 public:
  explicit Counter(bool allow_negative) : negative_(allow_negative) {}

  std::string_view name() const override { return negative_ ? "pn-counter" : "g-counter"; }

  Invocation next(const GenContext&, Rng& rng) override {
    if (rng.chance(1, 2)) return Invocation{"read", "null"};
    int64_t delta = negative_ ? rng.range(-5, 4) : rng.range(0, 4);
    return Invocation{"add", std::to_string(delta)};
  }

  std::optional<Invocation> final_op() const override { return Invocation{"read", "null"}; }

  std::string request_body(const Invocation& inv) const override {
    if (inv.f == "read") return "{\"type\":\"read\"}";
    return "{\"type\":\"add\",\"delta\":" + inv.value + "}";
  }

  bool idempotent(std::string_view f) const override { return f == "read"; }

  Completion complete(const Invocation& inv, const rapidjson::Value& reply) const override {
    if (inv.f == "read") {
      if (auto bad = check_reply_schema(name(), "read", reply)) return *bad;
      Completion c;
      c.value = std::to_string(reply["value"].GetInt64());
      return c;
    }
    if (auto bad = check_reply_schema(name(), "add", reply)) return *bad;
    Completion c;
    c.value = inv.value;
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    auto pairs = pair_completions(history);
    int64_t ok_sum = 0, ok_adds = 0;
    std::vector<int64_t> info_deltas;
    // Bounds for every read: the sum of the positive (negative) deltas invoked so far.
    struct ReadObs {
      int64_t invoke_ns, complete_ns, value;
      const Op* op;
    };
    std::vector<ReadObs> reads, finals;
    std::vector<std::pair<int64_t, int64_t>> add_invocations;  // (invoke time, delta), not failed
    for (size_t i = 0; i < history.size(); ++i) {
      const Op& inv = history[i];
      if (pairs[i] < -1) continue;
      const Op* done = pairs[i] >= 0 ? &history[static_cast<size_t>(pairs[i])] : nullptr;
      if (inv.f == "add") {
        int64_t delta = std::stoll(inv.value);
        OpType t = done ? done->type : OpType::kInfo;
        if (t == OpType::kOk) {
          ok_sum += delta;
          ++ok_adds;
        } else if (t == OpType::kInfo) {
          info_deltas.push_back(delta);
        }
        if (t != OpType::kFail) add_invocations.emplace_back(inv.time_ns, delta);
      } else if (inv.f == "read" && done && done->type == OpType::kOk) {
        ReadObs r{inv.time_ns, done->time_ns, std::stoll(done->value), done};
        (done->final ? finals : reads).push_back(r);
      }
    }
    Ranges ok_range = acceptable(ok_sum, info_deltas);
    Value errors = Value::vector();
    int64_t error_count = 0;
    auto note = [&](const ReadObs& r, const std::string& why) {
      ++error_count;
      if (errors.items().size() >= 8) return;
      Value e = Value::array_map();
      e.set("node", r.op->node);
      e.set("value", r.value);
      e.set("index", r.op->index);
      e.set("final?", r.op->final);
      e.set("problem", why);
      errors.push(std::move(e));
    };
    for (const ReadObs& r : finals) {
      if (!ok_range.contains(r.value)) {
        note(r,
             fmt::format("final read {} is not the sum of the ok adds ({}) plus a subset of the {} indeterminate adds",
                         r.value, ok_sum, info_deltas.size()));
      }
    }
    for (const ReadObs& r : reads) {
      int64_t lo = 0, hi = 0;
      for (auto [t, d] : add_invocations) {
        if (t > r.complete_ns) break;
        (d < 0 ? lo : hi) += d;
      }
      if (r.value < lo || r.value > hi) {
        note(r,
             fmt::format("read {} outside [{}, {}], what the adds invoked before it could produce", r.value, lo, hi));
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
    for (const ReadObs& r : finals) final_values.push(r.value);
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

 private:
  bool negative_;
};

}  // namespace

std::unique_ptr<Workload> make_counter(bool allow_negative) { return std::make_unique<Counter>(allow_negative); }

}  // namespace squall::workload
