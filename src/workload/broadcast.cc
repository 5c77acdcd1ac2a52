// broadcast and g-set: grow-only sets checked by set-full (set_full.h).
//
// broadcast: the nodes first get a topology; then broadcasts of 0, 1, 2, ... mixed 50/50
// with reads (read_ok{messages}). g-set: adds of 0, 1, 2, ... mixed 50/50 with reads
// (read_ok{value}). Final phase: one read on every node.
#include "workload/set_full.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

class GrowSet final : public Workload {
 public:
  // add_f / add_type: "broadcast" or "add"; element_key: "message" or "element";
  // read_key: "messages" or "value".
  GrowSet(std::string name, std::string add_f, std::string element_key, std::string read_key, bool topology)
      : name_(std::move(name)),
        add_f_(std::move(add_f)),
        element_key_(std::move(element_key)),
        read_key_(std::move(read_key)),
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
      if (auto bad = check_closed_reply(reply, "read_ok", {read_key_})) return *bad;
      const auto& v = reply[read_key_.c_str()];
      if (!v.IsArray()) return malformed("read_ok \"" + read_key_ + "\" must be an array");
      Completion c;
      c.value = history::json_text(v);
      return c;
    }
    if (auto bad = check_closed_reply(reply, add_f_ + "_ok", {})) return *bad;
    Completion c;
    c.value = inv.value;
    return c;
  }

  Value check(const History& history, const CheckContext& ctx) const override {
    return check_set_full(history, add_f_, ctx);
  }

 private:
  std::string name_, add_f_, element_key_, read_key_;
  bool topology_;
  int64_t next_element_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_broadcast() {
  return std::make_unique<GrowSet>("broadcast", "broadcast", "message", "messages", true);
}

std::unique_ptr<Workload> make_g_set() { return std::make_unique<GrowSet>("g-set", "add", "element", "value", false); }

}  // namespace squall::workload
