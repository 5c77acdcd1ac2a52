// Closed RPC schemas: for every Maelstrom workload and built-in service, each request
// type, the reply type it expects, and exactly which body keys each may carry.
//
// Every body may carry "type" and "msg_id"; every reply must carry "in_reply_to".
// Any other key must be listed, and required keys must be present with the listed kind.
// A reply with an extra key, a wrong type or no in_reply_to is malformed — the harness
// validates node replies with check_reply() and Squall's own node is tested against the
// same table. An "error" reply is allowed in answer to any request (code required, text
// optional). The table is static and immutable; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace squall::proto {

enum class JsonKind { kAny, kInt, kString, kBool, kArray, kObject };

struct FieldSpec {
  std::string_view key;
  JsonKind kind;
  bool required;
};

struct RpcSchema {
  // "echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "lin-kv",
  // "kafka", "txn-list-append", "txn-rw-register"; "*" for init (every workload);
  // "service:lin-kv", "service:seq-kv", "service:lww-kv", "service:lin-tso".
  std::string_view workload;
  std::string_view request_type;
  std::vector<FieldSpec> request_fields;
  std::string_view reply_type;
  std::vector<FieldSpec> reply_fields;
};

// The whole table, in a fixed order.
const std::vector<RpcSchema>& rpc_schemas();

// The schema for a request of `workload`; init is found under any workload. nullptr
// when the workload has no such request.
const RpcSchema* find_rpc(std::string_view workload, std::string_view request_type);

// Keys of an error reply besides type / msg_id / in_reply_to.
const std::vector<FieldSpec>& error_fields();

// Checks a reply body against `schema` (or the error schema when its type is "error"):
// the type, exactly the allowed keys, required keys present with the right kinds, an
// integer in_reply_to equal to `expected_in_reply_to` when given. The message names
// the first violation.
Status check_reply(const RpcSchema& schema, const rapidjson::Value& body,
                   std::optional<int64_t> expected_in_reply_to = std::nullopt);

// Checks a request body: its type, exactly the allowed keys (plus msg_id), required keys
// with the right kinds. Messages suit an error-12 reply text.
Status check_request(const RpcSchema& schema, const rapidjson::Value& body);

}  // namespace squall::proto
