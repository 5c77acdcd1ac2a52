#include "services/lin_tso.h"

#include "services/rpc.h"

namespace squall::services {

std::string LinTso::handle(std::string_view src, const rapidjson::Value& body, int64_t now_ms) {
  (void)src;
  (void)now_ms;
  auto [env, bad] = read_envelope(body);
  if (!env) return bad;
  if (env->type != "ts") {
    return render_reply(error_reply(proto::ErrorCode::kNotSupported,
                                    "lin-tso does not support requests of type \"" + env->type + "\" (it knows ts)"),
                        env->msg_id);
  }
  Reply r = ok_reply("ts_ok");
  r.fields.emplace_back("ts", std::to_string(next_ts_++));
  return render_reply(r, env->msg_id);
}

}  // namespace squall::services
