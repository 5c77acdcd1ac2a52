#include "services/kv_service.h"

namespace squall::services {

std::string KvService::handle(std::string_view src, const rapidjson::Value& body, int64_t now_ms) {
  auto [env, bad] = read_envelope(body);
  if (!env) return bad;
  if (!is_kv_type(env->type)) {
    return render_reply(
        error_reply(proto::ErrorCode::kNotSupported, std::string(name()) + " does not support requests of type \"" +
                                                         env->type + "\" (it knows read, write, cas)"),
        env->msg_id);
  }
  auto request = parse_kv_request(env->type, body);
  if (!request.ok())
    return render_reply(error_reply(proto::ErrorCode::kMalformedRequest, request.error()), env->msg_id);
  return render_reply(apply(src, request.value(), now_ms), env->msg_id);
}

Reply KvService::too_many_keys() const {
  return error_reply(proto::ErrorCode::kTemporarilyUnavailable,
                     std::string(name()) + " already holds " + std::to_string(kMaxKeys) + " keys, its limit");
}

}  // namespace squall::services
