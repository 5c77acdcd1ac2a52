// echo: every reply must echo its request's payload.
#include <fmt/format.h>

#include "history/edn.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

class Echo final : public Workload {
 public:
  std::string_view name() const override { return "echo"; }

  Invocation next(const GenContext&, Rng& rng) override {
    std::string payload;
    history::append_quoted(&payload, fmt::format("Please echo {}", rng.below(128)));
    return Invocation{"echo", payload};
  }

  std::string request_body(const Invocation& inv) const override {
    return "{\"type\":\"echo\",\"echo\":" + inv.value + "}";
  }

  bool idempotent(std::string_view) const override { return false; }

  Completion complete(const Invocation&, const rapidjson::Value& reply) const override {
    if (auto bad = check_reply_schema(name(), "echo", reply)) return *bad;
    Completion c;
    c.value = history::json_text(reply["echo"]);
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    auto pairs = pair_completions(history);
    Value errors = Value::vector();
    int64_t attempted = 0, ok = 0, mismatched = 0;
    for (size_t i = 0; i < history.size(); ++i) {
      if (history[i].type == OpType::kInvoke && history[i].f == "echo") ++attempted;
      if (pairs[i] < 0 || history[i].f != "echo") continue;
      const Op& done = history[static_cast<size_t>(pairs[i])];
      if (done.type != OpType::kOk) continue;
      ++ok;
      if (done.value != history[i].value) {
        ++mismatched;
        if (errors.items().size() < 8) {
          Value e = Value::array_map();
          e.set("expected", history::parse_json_value(history[i].value));
          e.set("received", history::parse_json_value(done.value));
          e.set("node", done.node);
          e.set("index", done.index);
          errors.push(std::move(e));
        }
      }
    }
    Value r = Value::array_map();
    // No echo at all (--rate 0) is an empty history, valid as in Maelstrom; echoes that
    // all failed leave the node untested.
    if (mismatched == 0 && ok == 0 && attempted > 0) {
      checker::set_unknown(
          &r, fmt::format("none of the {} echo requests succeeded, so no reply could be compared", attempted));
    } else {
      r.set("valid?", checker::verdict_value(mismatched > 0 ? Verdict::kInvalid : Verdict::kValid));
    }
    r.set("ok-count", ok);
    r.set("mismatch-count", mismatched);
    r.set("errors", std::move(errors));
    return r;
  }
};

}  // namespace

std::unique_ptr<Workload> make_echo() { return std::make_unique<Echo>(); }

}  // namespace squall::workload
