#include "etcd/gateway_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstdint>

#include "etcd/base64.h"

namespace squall::etcd::gateway {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

void put_bytes(Writer& w, const char* name, std::string_view bytes) {
  w.Key(name);
  std::string b = base64_encode(bytes);
  w.String(b.data(), static_cast<rapidjson::SizeType>(b.size()));
}

void put_int(Writer& w, const char* name, int64_t v) {
  w.Key(name);
  std::string s = std::to_string(v);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_range(Writer& w, const RangeRequest& r) {
  w.StartObject();
  put_bytes(w, "key", r.key);
  if (!r.range_end.empty()) put_bytes(w, "range_end", r.range_end);
  if (r.limit != 0) put_int(w, "limit", r.limit);
  if (r.revision != 0) put_int(w, "revision", r.revision);
  if (r.count_only) {
    w.Key("count_only");
    w.Bool(true);
  }
  w.EndObject();
}

void write_put(Writer& w, const PutRequest& r) {
  w.StartObject();
  put_bytes(w, "key", r.key);
  put_bytes(w, "value", r.value);
  if (r.lease != 0) put_int(w, "lease", r.lease);
  w.EndObject();
}

void write_delete(Writer& w, const DeleteRequest& r) {
  w.StartObject();
  put_bytes(w, "key", r.key);
  if (!r.range_end.empty()) put_bytes(w, "range_end", r.range_end);
  w.EndObject();
}

const char* compare_result(CompareOp op) {
  switch (op) {
    case CompareOp::Equal: return "EQUAL";
    case CompareOp::NotEqual: return "NOT_EQUAL";
    case CompareOp::Less: return "LESS";
    case CompareOp::Greater: return "GREATER";
  }
  return "EQUAL";
}

void write_compare(Writer& w, const Compare& c) {
  w.StartObject();
  w.Key("result");
  w.String(compare_result(c.op));
  put_bytes(w, "key", c.key);
  w.Key("target");
  switch (c.target) {
    case CompareTarget::Value:
      w.String("VALUE");
      put_bytes(w, "value", c.value);
      break;
    case CompareTarget::Version:
      w.String("VERSION");
      put_int(w, "version", c.number);
      break;
    case CompareTarget::CreateRevision:
      w.String("CREATE");
      put_int(w, "create_revision", c.number);
      break;
    case CompareTarget::ModRevision:
      w.String("MOD");
      put_int(w, "mod_revision", c.number);
      break;
  }
  w.EndObject();
}

void write_ops(Writer& w, const char* name, const std::vector<TxnOp>& ops) {
  if (ops.empty()) return;
  w.Key(name);
  w.StartArray();
  for (const TxnOp& op : ops) {
    w.StartObject();
    switch (op.kind) {
      case TxnOp::Kind::Put:
        w.Key("request_put");
        write_put(w, op.put);
        break;
      case TxnOp::Kind::Delete:
        w.Key("request_delete_range");
        write_delete(w, op.del);
        break;
      case TxnOp::Kind::Range:
        w.Key("request_range");
        write_range(w, op.range);
        break;
    }
    w.EndObject();
  }
  w.EndArray();
}

template <typename F>
std::string build(F&& f) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  f(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// ---- decoding: every accessor checks the type it reads ----

bool parse(std::string_view body, rapidjson::Document* doc, std::string* error) {
  doc->Parse<rapidjson::kParseStopWhenDoneFlag>(body.data(), body.size());
  if (doc->HasParseError() || !doc->IsObject()) {
    *error = "answer is not a JSON object";
    return false;
  }
  return true;
}

// int64 fields come as decimal strings (or, leniently, JSON integers); absent is 0.
bool get_int(const Value& obj, const char* name, int64_t* out, std::string* error) {
  *out = 0;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return true;
  const Value& v = it->value;
  if (v.IsInt64()) {
    *out = v.GetInt64();
    return true;
  }
  if (v.IsUint64()) {  // member ids are unsigned
    *out = static_cast<int64_t>(v.GetUint64());
    return true;
  }
  if (v.IsString()) {
    const char* b = v.GetString();
    const char* e = b + v.GetStringLength();
    auto r = std::from_chars(b, e, *out);
    if (r.ec == std::errc() && r.ptr == e) return true;
    uint64_t u = 0;
    auto ru = std::from_chars(b, e, u);
    if (ru.ec == std::errc() && ru.ptr == e) {
      *out = static_cast<int64_t>(u);
      return true;
    }
  }
  *error = std::string("field '") + name + "' is not an integer";
  return false;
}

bool get_bool(const Value& obj, const char* name, bool* out, std::string* error) {
  *out = false;
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return true;
  if (!it->value.IsBool()) {
    *error = std::string("field '") + name + "' is not a boolean";
    return false;
  }
  *out = it->value.GetBool();
  return true;
}

bool get_bytes(const Value& obj, const char* name, std::string* out, std::string* error) {
  out->clear();
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return true;
  if (!it->value.IsString() ||
      !base64_decode(std::string_view(it->value.GetString(), it->value.GetStringLength()), out)) {
    *error = std::string("field '") + name + "' is not base64";
    return false;
  }
  return true;
}

const Value* get_object(const Value& obj, const char* name, std::string* error, bool* bad) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return nullptr;
  if (!it->value.IsObject()) {
    *error = std::string("field '") + name + "' is not an object";
    *bad = true;
    return nullptr;
  }
  return &it->value;
}

bool read_header(const Value& obj, Header* h, std::string* error) {
  *h = Header{};
  bool bad = false;
  const Value* hv = get_object(obj, "header", error, &bad);
  if (bad) return false;
  if (hv == nullptr) return true;
  int64_t member = 0;
  if (!get_int(*hv, "revision", &h->revision, error) || !get_int(*hv, "member_id", &member, error) ||
      !get_int(*hv, "raft_term", &h->raft_term, error)) {
    return false;
  }
  h->member_id = static_cast<uint64_t>(member);
  return true;
}

bool read_kv(const Value& v, KeyValue* kv, std::string* error) {
  if (!v.IsObject()) {
    *error = "a key-value is not an object";
    return false;
  }
  return get_bytes(v, "key", &kv->key, error) && get_bytes(v, "value", &kv->value, error) &&
         get_int(v, "create_revision", &kv->create_revision, error) &&
         get_int(v, "mod_revision", &kv->mod_revision, error) && get_int(v, "version", &kv->version, error) &&
         get_int(v, "lease", &kv->lease, error);
}

bool read_range(const Value& obj, RangeResponse* out, std::string* error) {
  *out = RangeResponse{};
  if (!read_header(obj, &out->header, error) || !get_bool(obj, "more", &out->more, error) ||
      !get_int(obj, "count", &out->count, error)) {
    return false;
  }
  auto it = obj.FindMember("kvs");
  if (it == obj.MemberEnd()) return true;
  if (!it->value.IsArray()) {
    *error = "field 'kvs' is not an array";
    return false;
  }
  out->kvs.resize(it->value.Size());
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    if (!read_kv(it->value[i], &out->kvs[i], error)) return false;
  }
  return true;
}

bool read_op_result(const Value& v, TxnOpResult* out, std::string* error) {
  if (!v.IsObject()) {
    *error = "a txn response is not an object";
    return false;
  }
  bool bad = false;
  if (const Value* r = get_object(v, "response_range", error, &bad)) {
    out->kind = TxnOp::Kind::Range;
    return read_range(*r, &out->range, error);
  }
  if (bad) return false;
  if (const Value* d = get_object(v, "response_delete_range", error, &bad)) {
    out->kind = TxnOp::Kind::Delete;
    return get_int(*d, "deleted", &out->deleted, error);
  }
  if (bad) return false;
  if (get_object(v, "response_put", error, &bad) != nullptr) {
    out->kind = TxnOp::Kind::Put;
    return true;
  }
  if (!bad) *error = "a txn response names no known operation";
  return false;
}

}  // namespace

std::string encode(const RangeRequest& r) {
  return build([&](Writer& w) { write_range(w, r); });
}
std::string encode(const PutRequest& r) {
  return build([&](Writer& w) { write_put(w, r); });
}
std::string encode(const DeleteRequest& r) {
  return build([&](Writer& w) { write_delete(w, r); });
}
std::string encode(const TxnRequest& r) {
  return build([&](Writer& w) {
    w.StartObject();
    if (!r.compares.empty()) {
      w.Key("compare");
      w.StartArray();
      for (const Compare& c : r.compares) write_compare(w, c);
      w.EndArray();
    }
    write_ops(w, "success", r.success);
    write_ops(w, "failure", r.failure);
    w.EndObject();
  });
}
std::string encode_lease_grant(int64_t ttl_s) {
  return build([&](Writer& w) {
    w.StartObject();
    put_int(w, "TTL", ttl_s);
    w.EndObject();
  });
}
std::string encode_lease_id(int64_t id) {
  return build([&](Writer& w) {
    w.StartObject();
    put_int(w, "ID", id);
    w.EndObject();
  });
}
std::string encode_lock(std::string_view name, int64_t lease) {
  return build([&](Writer& w) {
    w.StartObject();
    put_bytes(w, "name", name);
    if (lease != 0) put_int(w, "lease", lease);
    w.EndObject();
  });
}
std::string encode_unlock(std::string_view key) {
  return build([&](Writer& w) {
    w.StartObject();
    put_bytes(w, "key", key);
    w.EndObject();
  });
}

bool decode(std::string_view body, RangeResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_range(doc, out, error);
}

bool decode(std::string_view body, PutResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, &out->header, error);
}

bool decode(std::string_view body, DeleteResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, &out->header, error) &&
         get_int(doc, "deleted", &out->deleted, error);
}

bool decode(std::string_view body, Header* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, out, error);
}

bool decode(std::string_view body, TxnResponse* out, std::string* error) {
  *out = TxnResponse{};
  rapidjson::Document doc;
  if (!parse(body, &doc, error) || !read_header(doc, &out->header, error) ||
      !get_bool(doc, "succeeded", &out->succeeded, error)) {
    return false;
  }
  auto it = doc.FindMember("responses");
  if (it == doc.MemberEnd()) return true;
  if (!it->value.IsArray()) {
    *error = "field 'responses' is not an array";
    return false;
  }
  out->results.resize(it->value.Size());
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    if (!read_op_result(it->value[i], &out->results[i], error)) return false;
  }
  return true;
}

bool decode(std::string_view body, LeaseGrantResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, &out->header, error) && get_int(doc, "ID", &out->id, error) &&
         get_int(doc, "TTL", &out->ttl_s, error);
}

bool decode(std::string_view body, LeaseKeepAliveResponse* out, std::string* error) {
  // A server stream: each message is {"result": {...}}; the first one is the answer.
  rapidjson::Document doc;
  if (!parse(body, &doc, error)) return false;
  bool bad = false;
  const Value* r = get_object(doc, "result", error, &bad);
  if (r == nullptr) {
    if (!bad) *error = "keep-alive answer without a result";
    return false;
  }
  return read_header(*r, &out->header, error) && get_int(*r, "ID", &out->id, error) &&
         get_int(*r, "TTL", &out->ttl_s, error);
}

bool decode(std::string_view body, LeaseTimeToLiveResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, &out->header, error) && get_int(doc, "ID", &out->id, error) &&
         get_int(doc, "TTL", &out->ttl_s, error) && get_int(doc, "grantedTTL", &out->granted_ttl_s, error);
}

bool decode(std::string_view body, LockResponse* out, std::string* error) {
  rapidjson::Document doc;
  return parse(body, &doc, error) && read_header(doc, &out->header, error) && get_bytes(doc, "key", &out->key, error);
}

bool decode_error(std::string_view body, int* code, std::string* message) {
  rapidjson::Document doc;
  std::string ignored;
  if (!parse(body, &doc, &ignored)) return false;
  auto c = doc.FindMember("code");
  if (c == doc.MemberEnd() || !c->value.IsInt()) return false;
  *code = c->value.GetInt();
  auto m = doc.FindMember("message");
  if (m == doc.MemberEnd() || !m->value.IsString()) m = doc.FindMember("error");
  if (m != doc.MemberEnd() && m->value.IsString()) {
    message->assign(m->value.GetString(), m->value.GetStringLength());
  } else {
    message->clear();
  }
  return true;
}

}  // namespace squall::etcd::gateway
