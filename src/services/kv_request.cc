#include "services/kv_request.h"

#include "services/canonical_json.h"

namespace squall::services {
namespace {

// Canonical JSON of the required member `name`, or an error a node author can act on.
Result<std::string> member(const rapidjson::Value& body, std::string_view type, const char* name) {
  auto it = body.FindMember(name);
  if (it == body.MemberEnd()) {
    return err(std::string(type) + " request has no \"" + name + "\" member");
  }
  auto text = canonical_json(it->value);
  if (!text.ok()) return err(std::string(type) + " request member \"" + name + "\": " + text.error());
  return text;
}

// Short rendering of a JSON text for error messages, bounded so a huge value cannot
// bloat a reply.
std::string brief(const std::string& json) {
  constexpr size_t kMax = 200;
  if (json.size() <= kMax) return json;
  return json.substr(0, kMax) + "...";
}

}  // namespace

bool is_kv_type(std::string_view type) { return type == "read" || type == "write" || type == "cas"; }

Result<KvRequest> parse_kv_request(std::string_view type, const rapidjson::Value& body) {
  SQ_ASSERT(is_kv_type(type));
  SQ_ASSERT(body.IsObject());
  KvRequest req;
  auto key = member(body, type, "key");
  if (!key.ok()) return Error{key.error()};
  req.key = std::move(key.value());
  if (type == "read") {
    req.kind = KvRequest::Kind::kRead;
    return req;
  }
  if (type == "write") {
    req.kind = KvRequest::Kind::kWrite;
    auto value = member(body, type, "value");
    if (!value.ok()) return Error{value.error()};
    req.value = std::move(value.value());
    return req;
  }
  req.kind = KvRequest::Kind::kCas;
  auto from = member(body, type, "from");
  if (!from.ok()) return Error{from.error()};
  auto to = member(body, type, "to");
  if (!to.ok()) return Error{to.error()};
  req.from = std::move(from.value());
  req.to = std::move(to.value());
  auto create = body.FindMember("create_if_not_exists");
  if (create != body.MemberEnd() && !create->value.IsNull()) {
    if (!create->value.IsBool()) return err("cas request member \"create_if_not_exists\" must be a boolean");
    req.create_if_not_exists = create->value.GetBool();
  }
  return req;
}

KvStep kv_step(const KvRequest& request, const std::optional<std::string>& current) {
  switch (request.kind) {
    case KvRequest::Kind::kRead: {
      if (!current)
        return {error_reply(proto::ErrorCode::kKeyDoesNotExist, "key " + brief(request.key) + " does not exist"), {}};
      Reply r = ok_reply("read_ok");
      r.fields.emplace_back("value", *current);
      return {std::move(r), {}};
    }
    case KvRequest::Kind::kWrite: return {ok_reply("write_ok"), request.value};
    case KvRequest::Kind::kCas: {
      if (!current && !request.create_if_not_exists) {
        return {error_reply(proto::ErrorCode::kKeyDoesNotExist, "key " + brief(request.key) + " does not exist"), {}};
      }
      // A missing key created by cas behaves as if it held `from`, so the swap succeeds.
      if (current && *current != request.from) {
        return {error_reply(proto::ErrorCode::kPreconditionFailed,
                            "expected " + brief(request.from) + ", but had " + brief(*current)),
                {}};
      }
      return {ok_reply("cas_ok"), request.to};
    }
  }
  SQ_UNREACHABLE("bad KvRequest kind");
}

}  // namespace squall::services
