// unique-ids: generate requests, checked by the unique-ids checker
// (src/checker/unique_ids.h): no id may be acknowledged twice.
#include "checker/unique_ids.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

// The checker's input: the generate invocations and the ids of the ok completions.
checker::UniqueIdsHistory unique_ids_input(const History& history) {
  checker::UniqueIdsHistory in;
  for (const Op& op : history) {
    if (op.f != "generate") continue;
    if (op.type == OpType::kInvoke) ++in.attempted;
    if (op.type == OpType::kOk) in.acknowledged.push_back({op.value, op.node});
  }
  return in;
}

class UniqueIds final : public Workload {
 public:
  std::string_view name() const override { return "unique-ids"; }

  Invocation next(const GenContext&, Rng&) override { return Invocation{"generate", "null"}; }

  std::string request_body(const Invocation&) const override { return "{\"type\":\"generate\"}"; }

  bool idempotent(std::string_view) const override { return false; }

  Completion complete(const Invocation&, const rapidjson::Value& reply) const override {
    if (auto bad = check_reply_schema(name(), "generate", reply)) return *bad;
    Completion c;
    c.value = history::json_text(reply["id"]);
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    return checker::check_unique_ids(unique_ids_input(history));
  }
};

}  // namespace

std::unique_ptr<Workload> make_unique_ids() { return std::make_unique<UniqueIds>(); }

}  // namespace squall::workload
