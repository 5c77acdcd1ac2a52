// KvService: the common front of the key-value services (lin-kv, seq-kv, lww-kv).
//
// handle() validates the envelope, refuses unknown request types (code 10) and
// malformed ones (code 12), and hands a parsed KvRequest to the subclass's apply(),
// which decides which state the request sees. Not thread-safe (see service.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "services/kv_request.h"
#include "services/service.h"

namespace squall::services {

// Most distinct keys one KV service holds; a write creating one more key is refused
// with code 11 (definite: nothing was written) rather than growing without bound.
inline constexpr size_t kMaxKeys = 1 << 20;

class KvService : public Service {
 public:
  std::string handle(std::string_view src, const rapidjson::Value& body, int64_t now_ms) final;

 protected:
  // Evaluates a well-formed request from `src` and returns the reply.
  virtual Reply apply(std::string_view src, const KvRequest& request, int64_t now_ms) = 0;

  // The reply for a write that would create key number kMaxKeys + 1.
  Reply too_many_keys() const;
};

}  // namespace squall::services
