#include "worker_driver/control_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "core/assert.h"
#include "core/json_limits.h"

namespace squall::worker_driver {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

// ---- decoding helpers: each returns false and sets *why on a missing or mistyped field ----

bool get_u64(const Value& o, const char* name, uint64_t* out, std::string* why) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsUint64()) {
    *why = std::string("\"") + name + "\" must be a non-negative integer";
    return false;
  }
  *out = it->value.GetUint64();
  return true;
}

bool get_str(const Value& o, const char* name, std::string* out, std::string* why, bool optional = false) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd()) {
    if (optional) return true;
    *why = std::string("\"") + name + "\" is required";
    return false;
  }
  if (!it->value.IsString()) {
    *why = std::string("\"") + name + "\" must be a string";
    return false;
  }
  out->assign(it->value.GetString(), it->value.GetStringLength());
  return true;
}

// A key range as a two-element array of strings ["start", "end"].
bool range_of(const Value& v, coord::KeyRange* out) {
  if (!v.IsArray() || v.Size() != 2 || !v[0].IsString() || !v[1].IsString()) return false;
  out->start.assign(v[0].GetString(), v[0].GetStringLength());
  out->end.assign(v[1].GetString(), v[1].GetStringLength());
  return true;
}

bool get_range(const Value& o, const char* name, coord::KeyRange* out, std::string* why) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !range_of(it->value, out)) {
    *why = std::string("\"") + name + "\" must be a range [\"start\", \"end\"]";
    return false;
  }
  return true;
}

bool get_token(const Value& o, const Identity& who, coord::LeaseToken* t, std::string* why) {
  t->ref = coord::ShardRef{who.tenant, who.run, 0};
  t->owner = who.worker;
  return get_u64(o, "shard", &t->ref.shard, why) && get_u64(o, "fence", &t->fence, why);
}

// Builds the coordinator request of a control line of type `type`; false with *why.
bool build(const Value& o, std::string_view type, const Identity& who, ControlRequest* out, std::string* why) {
  const uint64_t op_id = out->op_id;
  const coord::ShardRef ref{who.tenant, who.run, 0};
  static constexpr std::string_view kTypes[] = {"claim", "acquire", "renew",  "checkpoint", "complete",
                                                "park",  "split",   "unpark", "read"};
  if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
    *why = "unknown type \"" + std::string(type) +
           "\" (claim, acquire, renew, checkpoint, complete, park, split, unpark, read)";
    return false;
  }
  if (type == "read") {
    out->read = true;
    return get_u64(o, "shard", &out->shard, why);
  }
  if (type == "claim") {
    out->request = coord::ClaimNextOp{who.tenant, who.run, who.worker};
    return true;
  }
  if (type == "acquire" || type == "unpark") {
    coord::ShardRef r = ref;
    if (!get_u64(o, "shard", &r.shard, why)) return false;
    if (type == "acquire") {
      out->request = coord::AcquireOp{r, who.worker};
    } else {
      out->request = coord::UnparkOp{r, op_id};
    }
    return true;
  }
  coord::LeaseToken token;
  if (!get_token(o, who, &token, why)) return false;
  if (type == "renew") {
    out->request = coord::RenewOp{token};
    return true;
  }
  if (type == "checkpoint" || type == "complete") {
    coord::Cursor c;
    if (!get_str(o, "cursor", &c.last_key, why, type == "complete")) return false;
    if (!get_str(o, "token", &c.token, why, true)) return false;
    if (type == "checkpoint") {
      out->request = coord::CheckpointOp{token, std::move(c), op_id};
    } else {
      out->request = coord::CompleteOp{token, std::move(c), op_id};
    }
    return true;
  }
  if (type == "park") {
    std::string reason;
    if (!get_str(o, "reason", &reason, why)) return false;
    out->request = coord::ParkOp{token, std::move(reason), op_id};
    return true;
  }
  if (type == "split") {
    auto kids = o.FindMember("children");
    if (kids != o.MemberEnd()) {
      if (!kids->value.IsArray() || kids->value.Size() > coord::kSplitChildrenMax) {
        *why = "\"children\" must be an array of at most 256 ranges";
        return false;
      }
      std::vector<coord::KeyRange> children(kids->value.Size());
      for (rapidjson::SizeType i = 0; i < kids->value.Size(); ++i) {
        if (!range_of(kids->value[i], &children[i])) {
          *why = "\"children\" must be an array of ranges [\"start\", \"end\"]";
          return false;
        }
      }
      out->request = coord::SplitReplaceOp{token, std::move(children), op_id};
      return true;
    }
    coord::SplitResidualOp op{token, {}, {}, op_id};
    if (!get_range(o, "parent", &op.new_parent, why) || !get_range(o, "residual", &op.residual, why)) {
      *why += " (a split takes \"children\", or \"parent\" and \"residual\")";
      return false;
    }
    out->request = std::move(op);
    return true;
  }
  SQ_UNREACHABLE("a type listed in kTypes without a decoder");
}

// ---- encoding helpers ----

void key(Writer& w, const char* name) { w.Key(name); }
void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void range(Writer& w, const coord::KeyRange& r) {
  w.StartArray();
  str(w, r.start);
  str(w, r.end);
  w.EndArray();
}
void token(Writer& w, const coord::LeaseToken& t) {
  key(w, "shard");
  w.Uint64(t.ref.shard);
  key(w, "fence");
  w.Uint64(t.fence);
}
std::string done(rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

}  // namespace

std::variant<ControlRequest, ControlError> decode_request(std::string_view line, const Identity& who) {
  if (line.size() > kControlLineMax) return ControlError{std::nullopt, "line longer than 64 KiB"};
  if (json_depth(line) > 4) return ControlError{std::nullopt, "a request nests at most 4 levels"};
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return ControlError{std::nullopt, "not a JSON object"};
  ControlRequest out;
  std::string why;
  if (!get_u64(doc, "op_id", &out.op_id, &why)) return ControlError{std::nullopt, why};
  std::string type;
  if (!get_str(doc, "type", &type, &why)) return ControlError{out.op_id, why};
  if (!build(doc, type, who, &out, &why)) return ControlError{out.op_id, why};
  if (auto it = doc.FindMember("now_ms"); it != doc.MemberEnd()) {
    if (!it->value.IsInt64() || it->value.GetInt64() < 0)
      return ControlError{out.op_id, "\"now_ms\" must be a non-negative integer"};
    out.now_ms = it->value.GetInt64();
  }
  return out;
}

std::string encode_request(uint64_t op_id, const coord::Request& request) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "op_id");
  w.Uint64(op_id);
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        key(w, "type");
        if constexpr (std::is_same_v<T, coord::ClaimNextOp>) {
          str(w, "claim");
        } else if constexpr (std::is_same_v<T, coord::AcquireOp> || std::is_same_v<T, coord::UnparkOp>) {
          str(w, std::is_same_v<T, coord::AcquireOp> ? "acquire" : "unpark");
          key(w, "shard");
          w.Uint64(op.ref.shard);
        } else if constexpr (std::is_same_v<T, coord::RenewOp>) {
          str(w, "renew");
          token(w, op.lease);
        } else if constexpr (std::is_same_v<T, coord::CheckpointOp> || std::is_same_v<T, coord::CompleteOp>) {
          const coord::Cursor* c = nullptr;
          if constexpr (std::is_same_v<T, coord::CheckpointOp>) {
            str(w, "checkpoint");
            c = &op.cursor;
          } else {
            str(w, "complete");
            c = &op.final_cursor;
          }
          token(w, op.lease);
          key(w, "cursor");
          str(w, c->last_key);
          if (!c->token.empty()) {
            key(w, "token");
            str(w, c->token);
          }
        } else if constexpr (std::is_same_v<T, coord::ParkOp>) {
          str(w, "park");
          token(w, op.lease);
          key(w, "reason");
          str(w, op.reason);
        } else if constexpr (std::is_same_v<T, coord::SplitReplaceOp>) {
          str(w, "split");
          token(w, op.lease);
          key(w, "children");
          w.StartArray();
          for (const auto& c : op.children) range(w, c);
          w.EndArray();
        } else if constexpr (std::is_same_v<T, coord::SplitResidualOp>) {
          str(w, "split");
          token(w, op.lease);
          key(w, "parent");
          range(w, op.new_parent);
          key(w, "residual");
          range(w, op.residual);
        } else {
          // Run-level operations are the driver's own, never on the control API.
          str(w, coord::to_string(coord::kind_of(coord::Request{op})));
        }
      },
      request);
  w.EndObject();
  return done(b);
}

std::string encode_reply(uint64_t op_id, const coord::Reply& reply) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "op_id");
  w.Uint64(op_id);
  if (!reply.ok()) {
    const bool maybe = reply.error().code == coord::CoordErrc::Indeterminate;
    key(w, "type");
    str(w, maybe ? "indeterminate" : "error");
    if (!maybe) {
      key(w, "code");
      str(w, coord::to_string(reply.error().code));
    }
    key(w, "text");
    str(w, reply.error().detail != nullptr ? reply.error().detail : "");
    w.EndObject();
    return done(b);
  }
  const coord::OpResult& r = reply.value();
  key(w, "type");
  str(w, "ok");
  key(w, "shard");
  w.Uint64(r.shard);
  key(w, "fence");
  w.Uint64(r.fence);
  if (r.deadline_ms != 0) {
    key(w, "deadline_ms");
    w.Int64(r.deadline_ms);
  }
  if (r.replayed) {
    key(w, "replayed");
    w.Bool(true);
  }
  if (!(r.spec == coord::KeyRange{})) {
    key(w, "spec");
    range(w, r.spec);
  }
  if (!r.cursor.last_key.empty()) {
    key(w, "cursor");
    str(w, r.cursor.last_key);
  }
  if (!r.spawned.empty()) {
    key(w, "spawned");
    w.StartArray();
    for (coord::ShardId s : r.spawned) w.Uint64(s);
    w.EndArray();
  }
  w.EndObject();
  return done(b);
}

std::string encode_record(uint64_t op_id, const coord::ShardRecord* record) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "op_id");
  w.Uint64(op_id);
  key(w, "type");
  str(w, "ok");
  key(w, "found");
  w.Bool(record != nullptr);
  if (record != nullptr) {
    const coord::ShardRecord& r = *record;
    key(w, "shard");
    w.Uint64(r.id);
    key(w, "status");
    str(w, coord::to_string(r.status));
    key(w, "spec");
    range(w, r.spec);
    key(w, "cursor");
    str(w, r.cursor.last_key);
    key(w, "fence");
    w.Uint64(r.fence);
    if (r.lease) {
      key(w, "lease_owner");
      w.Uint64(r.lease->owner);
      key(w, "lease_deadline_ms");
      w.Int64(r.lease->deadline_ms);
    }
    if (r.parent) {
      key(w, "parent");
      w.Uint64(*r.parent);
    }
    if (!r.park_reason.empty()) {
      key(w, "park_reason");
      str(w, r.park_reason);
    }
    key(w, "spawned");
    w.StartArray();
    for (const auto& s : r.spawned) w.Uint64(s.id);
    w.EndArray();
  }
  w.EndObject();
  return done(b);
}

std::string encode_error(const ControlError& error) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "op_id");
  if (error.op_id) {
    w.Uint64(*error.op_id);
  } else {
    w.Null();
  }
  key(w, "type");
  str(w, "error");
  key(w, "code");
  str(w, "BadRequest");
  key(w, "text");
  str(w, error.message);
  w.EndObject();
  return done(b);
}

std::optional<coord::CoordErrc> parse_errc(std::string_view name) {
  for (int i = 0; i < coord::kCoordErrcCount; ++i) {
    const auto c = static_cast<coord::CoordErrc>(i);
    if (name == coord::to_string(c)) return c;
  }
  return std::nullopt;
}

std::optional<coord::Reply> decode_reply(std::string_view line) {
  if (line.size() > kControlLineMax || json_depth(line) > 4) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  std::string type, why;
  if (!get_str(doc, "type", &type, &why)) return std::nullopt;
  if (type == "indeterminate")
    return coord::Reply(coord::coord_error(coord::CoordErrc::Indeterminate, "indeterminate (decoded)"));
  if (type == "error") {
    std::string code;
    if (!get_str(doc, "code", &code, &why)) return std::nullopt;
    auto c = parse_errc(code);
    if (!c) return std::nullopt;
    return coord::Reply(coord::coord_error(*c, "error (decoded)"));
  }
  if (type != "ok") return std::nullopt;
  coord::OpResult r;
  if (!get_u64(doc, "shard", &r.shard, &why) || !get_u64(doc, "fence", &r.fence, &why)) return std::nullopt;
  if (auto it = doc.FindMember("deadline_ms"); it != doc.MemberEnd() && it->value.IsInt64())
    r.deadline_ms = it->value.GetInt64();
  if (auto it = doc.FindMember("replayed"); it != doc.MemberEnd() && it->value.IsBool())
    r.replayed = it->value.GetBool();
  if (auto it = doc.FindMember("spec"); it != doc.MemberEnd()) range_of(it->value, &r.spec);
  (void)get_str(doc, "cursor", &r.cursor.last_key, &why, true);
  if (auto it = doc.FindMember("spawned"); it != doc.MemberEnd() && it->value.IsArray()) {
    for (const auto& s : it->value.GetArray()) {
      if (!s.IsUint64()) return std::nullopt;
      r.spawned.push_back(s.GetUint64());
    }
  }
  return coord::Reply(std::move(r));
}

}  // namespace squall::worker_driver
