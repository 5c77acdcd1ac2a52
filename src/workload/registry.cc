#include "workload/workload.h"
#include "workload/workloads.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/assert.h"
#include "proto/schema.h"

namespace squall::workload {

std::vector<std::string> workload_names() {
  return {"echo",       "unique-ids", "broadcast", "g-set",           "g-counter",
          "pn-counter", "lin-kv",     "kafka",     "txn-list-append", "txn-rw-register"};
}

Status validate(const WorkloadOptions& o) {
  for (const auto& [flag, v] : {std::pair{"--key-count", o.key_count}, std::pair{"--max-txn-length", o.max_txn_length},
                                std::pair{"--max-writes-per-key", o.max_writes_per_key}}) {
    if (v && *v < 1) return err(std::string(flag) + " must be at least 1");
  }
  return {};
}

std::string options_flags(const WorkloadOptions& o) {
  std::string out;
  if (o.key_count) out += fmt::format(" --key-count {}", *o.key_count);
  if (o.max_txn_length) out += fmt::format(" --max-txn-length {}", *o.max_txn_length);
  if (o.max_writes_per_key) out += fmt::format(" --max-writes-per-key {}", *o.max_writes_per_key);
  if (!o.consistency_models.empty())
    out += fmt::format(" --consistency-models {}", fmt::join(o.consistency_models, ","));
  return out;
}

Result<std::unique_ptr<Workload>> make_workload(std::string_view name, const WorkloadOptions& options) {
  if (name == "echo") return make_echo();
  if (name == "unique-ids") return make_unique_ids();
  if (name == "broadcast") return make_broadcast();
  if (name == "g-set") return make_g_set();
  if (name == "g-counter") return make_counter(false);
  if (name == "pn-counter") return make_counter(true);
  if (name == "lin-kv") return make_lin_kv();
  if (name == "kafka") return make_kafka();
  if (name == "txn-list-append") return make_txn(true, options);
  if (name == "txn-rw-register") return make_txn(false, options);
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

std::optional<Completion> check_reply_schema(std::string_view workload, std::string_view request_type,
                                             const rapidjson::Value& reply) {
  const proto::RpcSchema* schema = proto::find_rpc(workload, request_type);
  SQ_ASSERT_MSG(schema != nullptr, workload << " has no request " << request_type);
  if (Status s = proto::check_reply(*schema, reply); !s.ok()) return malformed(s.error());
  return std::nullopt;
}

}  // namespace squall::workload
