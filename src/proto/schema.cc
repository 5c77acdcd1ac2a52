#include "proto/schema.h"

#include <string>

#include "proto/json_util.h"

namespace squall::proto {

namespace {

constexpr JsonKind kAny = JsonKind::kAny;
constexpr JsonKind kInt = JsonKind::kInt;
constexpr JsonKind kStr = JsonKind::kString;
constexpr JsonKind kBool = JsonKind::kBool;
constexpr JsonKind kArr = JsonKind::kArray;
constexpr JsonKind kObj = JsonKind::kObject;

FieldSpec req(std::string_view key, JsonKind kind) { return FieldSpec{key, kind, true}; }
FieldSpec opt(std::string_view key, JsonKind kind) { return FieldSpec{key, kind, false}; }

// The key-value RPCs shared by the lin-kv workload and the three KV services.
void add_kv(std::vector<RpcSchema>& t, std::string_view workload, bool services) {
  t.push_back({workload, "read", {req("key", kAny)}, "read_ok", {req("value", kAny)}});
  t.push_back({workload, "write", {req("key", kAny), req("value", kAny)}, "write_ok", {}});
  std::vector<FieldSpec> cas = {req("key", kAny), req("from", kAny), req("to", kAny)};
  if (services) cas.push_back(opt("create_if_not_exists", kBool));
  t.push_back({workload, "cas", cas, "cas_ok", {}});
}

std::vector<RpcSchema> build_table() {
  std::vector<RpcSchema> t;
  t.push_back({"*", "init", {req("node_id", kStr), req("node_ids", kArr)}, "init_ok", {}});
  t.push_back({"echo", "echo", {req("echo", kAny)}, "echo_ok", {req("echo", kAny)}});
  t.push_back({"unique-ids", "generate", {}, "generate_ok", {req("id", kAny)}});
  t.push_back({"broadcast", "topology", {req("topology", kObj)}, "topology_ok", {}});
  t.push_back({"broadcast", "broadcast", {req("message", kAny)}, "broadcast_ok", {}});
  t.push_back({"broadcast", "read", {}, "read_ok", {req("messages", kArr)}});
  t.push_back({"g-set", "add", {req("element", kAny)}, "add_ok", {}});
  t.push_back({"g-set", "read", {}, "read_ok", {req("value", kArr)}});
  for (std::string_view w : {"g-counter", "pn-counter"}) {
    t.push_back({w, "add", {req("delta", kInt)}, "add_ok", {}});
    t.push_back({w, "read", {}, "read_ok", {req("value", kInt)}});
  }
  add_kv(t, "lin-kv", false);
  t.push_back({"kafka", "send", {req("key", kAny), req("msg", kAny)}, "send_ok", {req("offset", kInt)}});
  t.push_back({"kafka", "poll", {req("offsets", kObj)}, "poll_ok", {req("msgs", kObj)}});
  t.push_back({"kafka", "commit_offsets", {req("offsets", kObj)}, "commit_offsets_ok", {}});
  t.push_back(
      {"kafka", "list_committed_offsets", {req("keys", kArr)}, "list_committed_offsets_ok", {req("offsets", kObj)}});
  for (std::string_view w : {"txn-list-append", "txn-rw-register"}) {
    t.push_back({w, "txn", {req("txn", kArr)}, "txn_ok", {req("txn", kArr)}});
  }
  for (std::string_view w : {"service:lin-kv", "service:seq-kv", "service:lww-kv"}) add_kv(t, w, true);
  t.push_back({"service:lin-tso", "ts", {}, "ts_ok", {req("ts", kInt)}});
  return t;
}

bool kind_matches(const rapidjson::Value& v, JsonKind kind) {
  switch (kind) {
    case JsonKind::kAny: return true;
    case JsonKind::kInt: return v.IsInt64();
    case JsonKind::kString: return v.IsString();
    case JsonKind::kBool: return v.IsBool();
    case JsonKind::kArray: return v.IsArray();
    case JsonKind::kObject: return v.IsObject();
  }
  return false;
}

std::string_view kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::kAny: return "any value";
    case JsonKind::kInt: return "an integer";
    case JsonKind::kString: return "a string";
    case JsonKind::kBool: return "a boolean";
    case JsonKind::kArray: return "an array";
    case JsonKind::kObject: return "an object";
  }
  return "?";
}

// Checks the keys of `body` against `fields` plus the envelope keys in `extra`.
Status check_fields(const rapidjson::Value& body, std::string_view type, const std::vector<FieldSpec>& fields,
                    std::initializer_list<std::string_view> extra) {
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
    std::string_view k = view(it->name);
    bool allowed = k == "type";
    for (std::string_view e : extra) allowed = allowed || k == e;
    for (const FieldSpec& f : fields) allowed = allowed || k == f.key;
    if (!allowed) return err(std::string(type) + " has unexpected key \"" + std::string(k) + "\" (schemas are closed)");
  }
  for (const FieldSpec& f : fields) {
    const rapidjson::Value* v = member(body, f.key);
    if (v == nullptr) {
      if (f.required) return err(std::string(type) + " requires key \"" + std::string(f.key) + "\"");
      continue;
    }
    if (!kind_matches(*v, f.kind)) {
      return err(std::string(type) + "." + std::string(f.key) + " must be " + std::string(kind_name(f.kind)));
    }
  }
  return {};
}

}  // namespace

const std::vector<RpcSchema>& rpc_schemas() {
  static const std::vector<RpcSchema> table = build_table();
  return table;
}

const RpcSchema* find_rpc(std::string_view workload, std::string_view request_type) {
  for (const RpcSchema& s : rpc_schemas()) {
    if ((s.workload == workload || s.workload == "*") && s.request_type == request_type) return &s;
  }
  return nullptr;
}

const std::vector<FieldSpec>& error_fields() {
  static const std::vector<FieldSpec> fields = {req("code", kInt), opt("text", kStr)};
  return fields;
}

Status check_reply(const RpcSchema& schema, const rapidjson::Value& body, std::optional<int64_t> expected_in_reply_to) {
  if (!body.IsObject()) return err("reply body is not an object");
  std::optional<std::string_view> type = get_string(body, "type");
  if (!type) return err("reply lacks a string \"type\"");
  const rapidjson::Value* irt = member(body, "in_reply_to");
  if (irt == nullptr) return err(std::string(*type) + " lacks \"in_reply_to\"");
  if (!irt->IsInt64()) return err(std::string(*type) + ".in_reply_to must be an integer");
  if (expected_in_reply_to && irt->GetInt64() != *expected_in_reply_to) {
    return err(std::string(*type) + ".in_reply_to is " + std::to_string(irt->GetInt64()) + ", expected " +
               std::to_string(*expected_in_reply_to));
  }
  if (const rapidjson::Value* id = member(body, "msg_id"); id != nullptr && !id->IsInt64()) {
    return err(std::string(*type) + ".msg_id must be an integer");
  }
  if (*type == "error") return check_fields(body, *type, error_fields(), {"msg_id", "in_reply_to"});
  if (*type != schema.reply_type) {
    return err("reply type \"" + std::string(*type) + "\" to " + std::string(schema.request_type) + ", expected \"" +
               std::string(schema.reply_type) + "\" or \"error\"");
  }
  return check_fields(body, *type, schema.reply_fields, {"msg_id", "in_reply_to"});
}

Status check_request(const RpcSchema& schema, const rapidjson::Value& body) {
  if (!body.IsObject()) return err("request body is not an object");
  std::optional<std::string_view> type = get_string(body, "type");
  if (!type || *type != schema.request_type) {
    return err("request type must be \"" + std::string(schema.request_type) + "\"");
  }
  return check_fields(body, *type, schema.request_fields, {"msg_id"});
}

}  // namespace squall::proto
