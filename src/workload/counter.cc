// g-counter and pn-counter: adds of small deltas mixed 50/50 with reads, checked by the
// counter checker (src/checker/counter.h), to which check() hands the adds and ok reads.
#include <string>

#include "checker/counter.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

// The checker's input: every add invocation with its outcome (info if it never
// completed) and every ok read, with the completion's node, position and phase.
checker::CounterHistory counter_input(const History& history) {
  auto pairs = pair_completions(history);
  checker::CounterHistory in;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& inv = history[i];
    if (pairs[i] < -1) continue;
    const Op* done = pairs[i] >= 0 ? &history[static_cast<size_t>(pairs[i])] : nullptr;
    if (inv.f == "add") {
      // Deltas are integers the generator wrote, and reads' values integers complete()
      // took from a schema-checked reply, so std::stoll cannot fail here.
      in.adds.push_back({inv.time_ns, std::stoll(inv.value), done ? done->type : OpType::kInfo});
    } else if (inv.f == "read" && done && done->type == OpType::kOk) {
      in.reads.push_back({inv.time_ns, done->time_ns, std::stoll(done->value), done->node, done->index, done->final});
    }
  }
  return in;
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
    return checker::check_counter(counter_input(history));
  }

 private:
  bool negative_;
};

}  // namespace

std::unique_ptr<Workload> make_counter(bool allow_negative) { return std::make_unique<Counter>(allow_negative); }

}  // namespace squall::workload
