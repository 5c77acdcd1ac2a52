#include "services/rpc.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace squall::services {

Reply error_reply(proto::ErrorCode code, std::string_view text) {
  Reply r{"error", {}};
  r.fields.emplace_back("code", std::to_string(proto::code_of(code)));
  r.fields.emplace_back("text", json_string(text));
  return r;
}

Reply ok_reply(std::string type) { return Reply{std::move(type), {}}; }

std::string json_string(std::string_view text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

std::pair<std::optional<Envelope>, std::string> read_envelope(const rapidjson::Value& body) {
  if (!body.IsObject()) {
    return {std::nullopt,
            render_reply(error_reply(proto::ErrorCode::kMalformedRequest, "request body is not a JSON object"),
                         std::nullopt)};
  }
  std::optional<std::string> msg_id;
  auto id = body.FindMember("msg_id");
  if (id != body.MemberEnd()) {
    if (id->value.IsInt64()) {
      msg_id = std::to_string(id->value.GetInt64());
    } else if (id->value.IsUint64()) {
      msg_id = std::to_string(id->value.GetUint64());
    } else {
      return {std::nullopt, render_reply(error_reply(proto::ErrorCode::kMalformedRequest, "msg_id must be an integer"),
                                         std::nullopt)};
    }
  }
  auto type = body.FindMember("type");
  if (type == body.MemberEnd() || !type->value.IsString()) {
    return {
        std::nullopt,
        render_reply(error_reply(proto::ErrorCode::kMalformedRequest, "request body has no string \"type\""), msg_id)};
  }
  Envelope env;
  env.type.assign(type->value.GetString(), type->value.GetStringLength());
  env.msg_id = std::move(msg_id);
  return {std::move(env), std::string()};
}

std::string render_reply(const Reply& reply, const std::optional<std::string>& msg_id) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("type");
  w.String(reply.type.data(), static_cast<rapidjson::SizeType>(reply.type.size()));
  if (msg_id) {
    w.Key("in_reply_to");
    w.RawValue(msg_id->data(), msg_id->size(), rapidjson::kNumberType);
  }
  for (const auto& [name, raw] : reply.fields) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace squall::services
