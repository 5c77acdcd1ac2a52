#include "gossip/lin_kv_proxy.h"

#include <string>

#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {}

LinKvProxy::LinKvProxy(node::Node& node, const GossipConfig& config, const Faults& faults)
    : node_(node), kv_(node, faults.lin_kv_via, config.service_timeout_ms) {
  node_.on("write", [this](const node::Request& r) { handle_write(r); });
  node_.on("cas", [this](const node::Request& r) { handle_cas(r); });
}

node::KvClient::Callback LinKvProxy::forward(node::ReplyTo to, const char* ok_type, bool with_value) {
  return [this, to = std::move(to), ok_type, with_value](const node::RpcReply& r) {
    if (r.timed_out()) {
      node_.reply_error(to, proto::code_of(proto::ErrorCode::kTimeout), kv_.service() + " did not answer in time");
      return;
    }
    if (r.is_error()) {
      node_.reply_error(to, r.error_code(), r.error_text());
      return;
    }
    proto::BodyWriter w(ok_type);
    if (with_value) {
      const rapidjson::Value* v = proto::member(r.body(), "value");
      if (v == nullptr) {
        node_.reply_error(to, proto::code_of(proto::ErrorCode::kCrash), kv_.service() + " read_ok lacked a value");
        return;
      }
      w.put_value("value", *v);
    }
    node_.reply(to, w);
  };
}

void LinKvProxy::handle_read(const node::Request& req) {
  const rapidjson::Value* key = proto::member(req.body(), "key");
  if (key == nullptr) {
    node_.reply_error(req, proto::kMalformedRequestCode, "read requires key \"key\"");
    return;
  }
  kv_.read(proto::to_json(*key), forward(req.reply_to(), "read_ok", true));
}

void LinKvProxy::handle_write(const node::Request& req) {
  const rapidjson::Value* key = proto::member(req.body(), "key");
  const rapidjson::Value* value = proto::member(req.body(), "value");
  if (key == nullptr || value == nullptr) {
    node_.reply_error(req, proto::kMalformedRequestCode, "write requires keys \"key\" and \"value\"");
    return;
  }
  kv_.write(proto::to_json(*key), proto::to_json(*value), forward(req.reply_to(), "write_ok", false));
}

void LinKvProxy::handle_cas(const node::Request& req) {
  const rapidjson::Value* key = proto::member(req.body(), "key");
  const rapidjson::Value* from = proto::member(req.body(), "from");
  const rapidjson::Value* to = proto::member(req.body(), "to");
  if (key == nullptr || from == nullptr || to == nullptr) {
    node_.reply_error(req, proto::kMalformedRequestCode, "cas requires keys \"key\", \"from\" and \"to\"");
    return;
  }
  bool create = proto::get_bool(req.body(), "create_if_not_exists").value_or(false);
  kv_.cas(proto::to_json(*key), proto::to_json(*from), proto::to_json(*to), create,
          forward(req.reply_to(), "cas_ok", false));
}

}  // namespace squall::gossip
