// broadcast and g-set: grow-only sets checked by set-full (src/checker/set_full.h).
//
// broadcast: the nodes first get a topology; then broadcasts of 0, 1, 2, ... mixed 50/50
// with reads (read_ok{messages}). g-set: adds of 0, 1, 2, ... mixed 50/50 with reads
// (read_ok{value}). Final phase: one read on every node.
#include <rapidjson/document.h>

#include "checker/set_full.h"
#include "core/assert.h"
#include "proto/schema.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

// The checker's input: every invocation of `add_f` with whether it completed ok, and
// every ok read with the elements of its array value.
checker::SetFullHistory set_full_input(const History& history, std::string_view add_f) {
  auto pairs = pair_completions(history);
  checker::SetFullHistory in;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& inv = history[i];
    if (pairs[i] < -1 || inv.f != add_f) continue;
    const Op* done = pairs[i] >= 0 ? &history[static_cast<size_t>(pairs[i])] : nullptr;
    bool ok = done && done->type == OpType::kOk;
    in.adds.push_back({inv.value, ok, ok ? done->time_ns : 0});
  }
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& inv = history[i];
    if (pairs[i] < 0 || inv.f != "read") continue;
    const Op& done = history[static_cast<size_t>(pairs[i])];
    if (done.type != OpType::kOk) continue;
    rapidjson::Document doc;
    doc.Parse(done.value.data(), done.value.size());
    if (doc.HasParseError() || !doc.IsArray()) continue;  // the client rejected such replies already
    checker::SetRead read{inv.time_ns, done.time_ns, {}, done.node, done.final};
    for (const auto& item : doc.GetArray()) read.elements.push_back(history::json_text(item));
    in.reads.push_back(std::move(read));
  }
  return in;
}

const proto::RpcSchema& rpc(std::string_view workload, std::string_view request_type) {
  const proto::RpcSchema* schema = proto::find_rpc(workload, request_type);
  SQ_ASSERT_MSG(schema != nullptr, workload << " has no request " << request_type);
  return *schema;
}

std::string only_key(const std::vector<proto::FieldSpec>& fields) {
  SQ_ASSERT(fields.size() == 1);
  return std::string(fields[0].key);
}

class GrowSet final : public Workload {
 public:
  // add_f: "broadcast" or "add". The element key (message / element) and the read key
  // (messages / value) are read from the schema table, so the two cannot disagree.
  GrowSet(std::string name, std::string add_f, bool topology)
      : name_(std::move(name)),
        add_f_(std::move(add_f)),
        element_key_(only_key(rpc(name_, add_f_).request_fields)),
        read_key_(only_key(rpc(name_, "read").reply_fields)),
        topology_(topology) {}

  std::string_view name() const override { return name_; }

  std::optional<std::string> setup_body(const SetupContext& ctx, std::string_view) const override {
    if (!topology_) return std::nullopt;
    return "{\"type\":\"topology\",\"topology\":" + ctx.topology_json + "}";
  }
  std::string setup_reply_type() const override { return topology_ ? "topology_ok" : ""; }

  Invocation next(const GenContext&, Rng& rng) override {
    if (rng.chance(1, 2)) return Invocation{"read", "null"};
    return Invocation{add_f_, std::to_string(next_element_++)};
  }

  std::optional<Invocation> final_op() const override { return Invocation{"read", "null"}; }

  std::string request_body(const Invocation& inv) const override {
    if (inv.f == "read") return "{\"type\":\"read\"}";
    return "{\"type\":\"" + add_f_ + "\",\"" + element_key_ + "\":" + inv.value + "}";
  }

  bool idempotent(std::string_view f) const override { return f == "read"; }

  Completion complete(const Invocation& inv, const rapidjson::Value& reply) const override {
    if (inv.f == "read") {
      if (auto bad = check_reply_schema(name_, "read", reply)) return *bad;
      Completion c;
      c.value = history::json_text(reply[read_key_.c_str()]);
      return c;
    }
    if (auto bad = check_reply_schema(name_, add_f_, reply)) return *bad;
    Completion c;
    c.value = inv.value;
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    return checker::check_set_full(set_full_input(history, add_f_));
  }

 private:
  std::string name_, add_f_, element_key_, read_key_;
  bool topology_;
  int64_t next_element_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_broadcast() { return std::make_unique<GrowSet>("broadcast", "broadcast", true); }

std::unique_ptr<Workload> make_g_set() { return std::make_unique<GrowSet>("g-set", "add", false); }

}  // namespace squall::workload
