#include "workload/workload.h"
#include "workload/workloads.h"

namespace squall::workload {

std::vector<std::string> workload_names() {
  return {"echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "lin-kv", "kafka"};
}

Result<std::unique_ptr<Workload>> make_workload(std::string_view name) {
  if (name == "echo") return make_echo();
  if (name == "unique-ids") return make_unique_ids();
  if (name == "broadcast") return make_broadcast();
  if (name == "g-set") return make_g_set();
  if (name == "g-counter") return make_counter(false);
  if (name == "pn-counter") return make_counter(true);
  if (name == "lin-kv") return make_lin_kv();
  if (name == "kafka") return make_kafka();
  std::string known;
  for (const auto& n : workload_names()) known += (known.empty() ? "" : ", ") + n;
  return err("unknown workload '" + std::string(name) + "' (this build knows: " + known + ")");
}

Completion malformed(std::string problem) {
  Completion c;
  c.type = OpType::kInfo;
  c.malformed = true;
  c.problem = std::move(problem);
  return c;
}

std::optional<Completion> check_closed_reply(const rapidjson::Value& reply, std::string_view type,
                                             std::initializer_list<std::string_view> keys) {
  if (!reply.IsObject()) return malformed("reply body is not an object");
  auto t = reply.FindMember("type");
  if (t == reply.MemberEnd() || !t->value.IsString()) return malformed("reply has no string \"type\"");
  std::string_view got(t->value.GetString(), t->value.GetStringLength());
  if (got != type) return malformed("expected a " + std::string(type) + " reply, got type \"" + std::string(got) + "\"");
  for (const auto& m : reply.GetObject()) {
    std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k == "type" || k == "msg_id" || k == "in_reply_to") continue;
    bool allowed = false;
    for (auto a : keys) allowed = allowed || a == k;
    if (!allowed) return malformed(std::string(type) + " has unexpected key \"" + std::string(k) + "\" (reply schemas are closed)");
  }
  for (auto k : keys) {
    if (!reply.HasMember(rapidjson::Value(rapidjson::StringRef(k.data(), k.size()))))
      return malformed(std::string(type) + " lacks \"" + std::string(k) + "\"");
  }
  return std::nullopt;
}

}  // namespace squall::workload
