#include "services/lin_kv.h"

namespace squall::services {

Reply LinKv::apply(std::string_view src, const KvRequest& request, int64_t now_ms) {
  (void)src;
  (void)now_ms;
  auto it = values_.find(request.key);
  std::optional<std::string> current;
  if (it != values_.end()) current = it->second;
  KvStep step = kv_step(request, current);
  if (step.new_value) {
    if (it == values_.end() && values_.size() >= kMaxKeys) return too_many_keys();
    values_[request.key] = std::move(*step.new_value);
  }
  return std::move(step.reply);
}

}  // namespace squall::services
