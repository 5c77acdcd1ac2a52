// LinKv: the `lin-kv` service, a linearizable key-value map.
//
// Every request is evaluated against the single current state at the moment the harness
// delivers it, so the history it produces is linearizable by construction. Not
// thread-safe (see service.h). Invariant: at most kMaxKeys keys.
#pragma once

#include <map>
#include <string>

#include "services/kv_service.h"

namespace squall::services {

class LinKv final : public KvService {
 public:
  std::string_view name() const override { return "lin-kv"; }

 protected:
  Reply apply(std::string_view src, const KvRequest& request, int64_t now_ms) override;

 private:
  std::map<std::string, std::string> values_;  // canonical key -> canonical value
};

}  // namespace squall::services
