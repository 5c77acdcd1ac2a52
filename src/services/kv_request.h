// KvRequest: one parsed key-value request (read, write, cas) and its pure semantics.
//
// Shared by lin-kv, seq-kv and lww-kv, which differ only in *which* state a request is
// evaluated against; kv_step() says what a request does to one key's current value.
// Keys and values are held as canonical JSON text (services/canonical_json.h), so
// structurally equal JSON compares equal. Pure functions; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/rpc.h"

namespace squall::services {

struct KvRequest {
  enum class Kind { kRead, kWrite, kCas };
  Kind kind = Kind::kRead;
  std::string key;                    // canonical JSON of "key"
  std::string value;                  // write: canonical JSON of "value"
  std::string from;                   // cas: expected current value
  std::string to;                     // cas: new value
  bool create_if_not_exists = false;  // cas: treat a missing key as holding `from`

  bool is_write() const { return kind != Kind::kRead; }
};

// True for the request types a KV service understands: read, write, cas.
bool is_kv_type(std::string_view type);

// Parses the members of a read/write/cas body. Precondition: is_kv_type(type).
// Errors name the missing or bad member; the caller replies with code 12.
Result<KvRequest> parse_kv_request(std::string_view type, const rapidjson::Value& body);

// What a request does to a key whose current value is `current` (nullopt: absent).
struct KvStep {
  Reply reply;                           // read_ok / write_ok / cas_ok / error 20 / error 22
  std::optional<std::string> new_value;  // set when the key takes a new value
};

KvStep kv_step(const KvRequest& request, const std::optional<std::string>& current);

}  // namespace squall::services
