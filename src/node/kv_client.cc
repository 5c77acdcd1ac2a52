#include "node/kv_client.h"

namespace squall::node {

void KvClient::read(std::string_view key_json, Callback cb) {
  proto::BodyWriter w("read");
  w.put_raw("key", key_json);
  node_.rpc(service_, w, timeout_ms_, std::move(cb));
}

void KvClient::write(std::string_view key_json, std::string_view value_json, Callback cb) {
  proto::BodyWriter w("write");
  w.put_raw("key", key_json);
  w.put_raw("value", value_json);
  node_.rpc(service_, w, timeout_ms_, std::move(cb));
}

void KvClient::cas(std::string_view key_json, std::string_view from_json, std::string_view to_json,
                   bool create_if_not_exists, Callback cb) {
  proto::BodyWriter w("cas");
  w.put_raw("key", key_json);
  w.put_raw("from", from_json);
  w.put_raw("to", to_json);
  if (create_if_not_exists) w.put_bool("create_if_not_exists", true);
  node_.rpc(service_, w, timeout_ms_, std::move(cb));
}

std::optional<int64_t> KvClient::int_value(const RpcReply& reply) {
  if (!reply.ok() || reply.type() != "read_ok") return std::nullopt;
  return proto::get_int(reply.body(), "value");
}

void TsoClient::ts(Callback cb) {
  proto::BodyWriter w("ts");
  node_.rpc(service_, w, timeout_ms_, std::move(cb));
}

std::optional<int64_t> TsoClient::ts_of(const RpcReply& reply) {
  if (!reply.ok() || reply.type() != "ts_ok") return std::nullopt;
  return proto::get_int(reply.body(), "ts");
}

}  // namespace squall::node
