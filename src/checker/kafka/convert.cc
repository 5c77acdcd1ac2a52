#include "checker/kafka/convert.h"

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace squall::checker::kafka {
namespace {

using Value = rapidjson::Value;

// Carries the "op N (f type): " prefix of every error message.
struct Ctx {
  std::string where;
  Error fail(const std::string& what) const { return err(where + what); }
};

Result<std::string> key_of(const Value& v, const Ctx& ctx) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  return ctx.fail("a key must be a string or an integer");
}

Result<int64_t> int_of(const Value& v, const char* what, const Ctx& ctx) {
  if (!v.IsInt64()) return ctx.fail(std::string(what) + " must be an integer");
  return v.GetInt64();
}

// {"k":[[offset,msg],...],...}
Status read_polled(const Value& msgs, Event* op, const Ctx& ctx) {
  if (!msgs.IsObject()) return ctx.fail("poll result must be a map of keys to [offset, msg] pairs");
  for (auto it = msgs.MemberBegin(); it != msgs.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsArray()) return ctx.fail("poll result for key " + key + " must be an array");
    auto& out = op->polled[key];
    for (const Value& pair : it->value.GetArray()) {
      if (!pair.IsArray() || pair.Size() != 2) return ctx.fail("poll result for key " + key + " has a non-pair");
      auto offset = int_of(pair[0], "a polled offset", ctx);
      if (!offset.ok()) return Error{offset.error()};
      auto msg = int_of(pair[1], "a polled msg", ctx);
      if (!msg.ok()) return Error{msg.error()};
      out.push_back(OffsetMsg{*offset, *msg});
    }
  }
  return {};
}

// {"k":offset,...}
Status read_offsets(const Value& v, Event* op, const Ctx& ctx) {
  if (!v.IsObject()) return ctx.fail("offsets must be a map of keys to integers");
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    auto offset = int_of(it->value, "an offset", ctx);
    if (!offset.ok()) return Error{offset.error()};
    op->offsets[std::string(it->name.GetString(), it->name.GetStringLength())] = *offset;
  }
  return {};
}

Status read_keys(const Value& v, Event* op, const Ctx& ctx) {
  if (!v.IsArray()) return ctx.fail("keys must be an array");
  for (const Value& k : v.GetArray()) {
    auto key = key_of(k, ctx);
    if (!key.ok()) return Error{key.error()};
    op->keys.push_back(std::move(key.value()));
  }
  return {};
}

Status read_send(const Value& v, Event* op, const Ctx& ctx) {
  if (v.IsArray()) {  // micro-op form: [["send", k, m]] or [["send", k, [o, m]]]
    if (v.Size() != 1) return ctx.fail("only single micro-op sends are supported");
    const Value& mop = v[0];
    if (!mop.IsArray() || mop.Size() != 3) return ctx.fail("send micro-op must be [\"send\", key, msg]");
    auto key = key_of(mop[1], ctx);
    if (!key.ok()) return Error{key.error()};
    op->key = std::move(key.value());
    const Value& m = mop[2];
    if (m.IsArray()) {
      if (m.Size() != 2) return ctx.fail("send result must be [offset, msg]");
      if (!m[0].IsNull()) {
        auto offset = int_of(m[0], "offset", ctx);
        if (!offset.ok()) return Error{offset.error()};
        op->offset = *offset;
      }
      auto msg = int_of(m[1], "msg", ctx);
      if (!msg.ok()) return Error{msg.error()};
      op->msg = *msg;
      return {};
    }
    auto msg = int_of(m, "msg", ctx);
    if (!msg.ok()) return Error{msg.error()};
    op->msg = *msg;
    return {};
  }
  if (!v.IsObject()) return ctx.fail("send value must be {\"key\", \"msg\"[, \"offset\"]}");
  auto k = v.FindMember("key");
  auto m = v.FindMember("msg");
  if (k == v.MemberEnd() || m == v.MemberEnd()) return ctx.fail("send value needs \"key\" and \"msg\"");
  auto key = key_of(k->value, ctx);
  if (!key.ok()) return Error{key.error()};
  op->key = std::move(key.value());
  auto msg = int_of(m->value, "msg", ctx);
  if (!msg.ok()) return Error{msg.error()};
  op->msg = *msg;
  auto o = v.FindMember("offset");
  if (o != v.MemberEnd() && !o->value.IsNull()) {
    auto offset = int_of(o->value, "offset", ctx);
    if (!offset.ok()) return Error{offset.error()};
    op->offset = *offset;
  }
  return {};
}

Status read_poll(const Value& v, Event* op, const Ctx& ctx) {
  if (op->type != OpType::kOk) return {};  // only a completed poll carries messages
  if (v.IsArray()) {                       // micro-op form: [["poll", {k: [[o, m]]}]]
    if (v.Size() != 1) return ctx.fail("only single micro-op polls are supported");
    const Value& mop = v[0];
    if (!mop.IsArray() || mop.Size() != 2) return ctx.fail("poll micro-op must be [\"poll\", msgs]");
    return read_polled(mop[1], op, ctx);
  }
  if (!v.IsObject() || !v.HasMember("msgs")) return ctx.fail("poll value must be {\"msgs\": {...}}");
  return read_polled(v["msgs"], op, ctx);
}

Status read_value(const Value& v, Event* op, const Ctx& ctx) {
  switch (op->f) {
    case OpF::kSend: return read_send(v, op, ctx);
    case OpF::kPoll: return read_poll(v, op, ctx);
    case OpF::kCommitOffsets:
      if (v.IsObject() && v.HasMember("offsets")) return read_offsets(v["offsets"], op, ctx);
      return read_offsets(v, op, ctx);
    case OpF::kListCommittedOffsets:
      if (v.IsNull()) return {};
      if (v.IsObject() && v.HasMember("keys")) return read_keys(v["keys"], op, ctx);
      if (v.IsObject() && v.HasMember("offsets")) return read_offsets(v["offsets"], op, ctx);
      if (v.IsArray()) return read_keys(v, op, ctx);
      return read_offsets(v, op, ctx);
    case OpF::kAssign:
      if (v.IsObject() && v.HasMember("keys")) return read_keys(v["keys"], op, ctx);
      if (v.IsNull()) return {};
      return read_keys(v, op, ctx);
    case OpF::kCrash: return {};
  }
  return {};
}

}  // namespace

Result<Event> op_from_json(std::string_view type, std::string_view f, std::string_view value_json, int64_t process,
                           int64_t time_ns, int64_t index) {
  Ctx ctx{"op " + std::to_string(index) + " (" + std::string(f) + " " + std::string(type) + "): "};
  Event op;
  op.index = index;
  op.process = process;
  op.time_ns = time_ns;
  std::optional<OpType> op_type = history::op_type_from(type);
  if (!op_type) return ctx.fail("unknown op type");
  op.type = *op_type;
  if (f == "send")
    op.f = OpF::kSend;
  else if (f == "poll")
    op.f = OpF::kPoll;
  else if (f == "commit_offsets" || f == "commit-offsets")
    op.f = OpF::kCommitOffsets;
  else if (f == "list_committed_offsets" || f == "list-committed-offsets")
    op.f = OpF::kListCommittedOffsets;
  else if (f == "assign")
    op.f = OpF::kAssign;
  else if (f == "crash")
    op.f = OpF::kCrash;
  else
    return ctx.fail("not a kafka op");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(value_json.data(), value_json.size());  // no recursion on hostile input
  if (doc.HasParseError()) return ctx.fail("value is not valid JSON");
  Status st = read_value(doc, &op, ctx);
  if (!st.ok()) return Error{st.error()};
  return op;
}

}  // namespace squall::checker::kafka
