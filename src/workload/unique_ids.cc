// unique-ids: no id may be acknowledged twice. Ids may be any JSON value; two ids are
// the same when their compact JSON text is (so 1 and "1" differ).
#include <fmt/format.h>

#include <map>

#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

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
    std::map<std::string, std::vector<const Op*>> seen;
    int64_t attempted = 0, acknowledged = 0;
    for (const Op& op : history) {
      if (op.f != "generate") continue;
      if (op.type == OpType::kInvoke) ++attempted;
      if (op.type != OpType::kOk) continue;
      ++acknowledged;
      seen[op.value].push_back(&op);
    }
    Value dups = Value::vector();
    int64_t duplicated = 0;
    for (const auto& [id, ops] : seen) {
      if (ops.size() < 2) continue;
      ++duplicated;
      if (dups.items().size() >= 8) continue;
      Value d = Value::array_map();
      d.set("id", history::parse_json_value(id));
      d.set("count", static_cast<int64_t>(ops.size()));
      Value nodes = Value::vector();
      for (size_t k = 0; k < ops.size() && k < 4; ++k) nodes.push(ops[k]->node);
      d.set("nodes", std::move(nodes));
      dups.push(std::move(d));
    }
    Value r = Value::array_map();
    // No request at all (--rate 0) is an empty history, valid as in Maelstrom.
    if (duplicated == 0 && acknowledged == 0 && attempted > 0) {
      set_unknown(&r, fmt::format("none of the {} generate requests succeeded, so no id could be compared", attempted));
    } else {
      r.set("valid?", verdict_value(duplicated > 0 ? Verdict::kInvalid : Verdict::kValid));
    }
    r.set("attempted-count", attempted);
    r.set("acknowledged-count", acknowledged);
    r.set("duplicated-count", duplicated);
    r.set("duplicated", std::move(dups));
    return r;
  }
};

}  // namespace

std::unique_ptr<Workload> make_unique_ids() { return std::make_unique<UniqueIds>(); }

}  // namespace squall::workload
