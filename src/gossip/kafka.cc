#include "gossip/kafka.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {

constexpr int kUnavailable = proto::code_of(proto::ErrorCode::kTemporarilyUnavailable);
constexpr int kTimeout = proto::code_of(proto::ErrorCode::kTimeout);
constexpr int kMissing = proto::code_of(proto::ErrorCode::kKeyDoesNotExist);

// Kafka keys are strings in Maelstrom; any other JSON key is used by its text.
std::string key_of(const rapidjson::Value& v) { return v.IsString() ? std::string(proto::view(v)) : proto::to_json(v); }

std::string next_key(const std::string& key) { return proto::json_string("kafka/next/" + key); }
std::string commit_key(const std::string& key) { return proto::json_string("kafka/commit/" + key); }

// Reads {key: non-negative int} into `out`; false when malformed.
bool read_offsets(const rapidjson::Value* obj, std::map<std::string, int64_t>* out) {
  if (obj == nullptr || !obj->IsObject()) return false;
  for (auto it = obj->MemberBegin(); it != obj->MemberEnd(); ++it) {
    if (!it->value.IsInt64() || it->value.GetInt64() < 0) return false;
    (*out)[std::string(proto::view(it->name))] = it->value.GetInt64();
  }
  return true;
}

}  // namespace

Kafka::Kafka(node::Node& node, const GossipConfig& config, const Faults& faults)
    : node_(node),
      faults_(faults),
      kv_(node, "lin-kv", config.service_timeout_ms),
      replica_(node, "kf", config, faults) {
  replica_.on_new([this](std::string_view json) { on_element(json); });
  node_.on("send", [this](const node::Request& r) { handle_send(r); });
  node_.on("poll", [this](const node::Request& r) { handle_poll(r); });
  node_.on("commit_offsets", [this](const node::Request& r) { handle_commit(r); });
  node_.on("list_committed_offsets", [this](const node::Request& r) { handle_list(r); });
}

const std::map<int64_t, std::string>* Kafka::log(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second.msgs;
}

bool Kafka::local_offsets() const { return faults_.kafka_local_offsets || node_.node_ids().size() <= 1; }

void Kafka::handle_send(const node::Request& req) {
  const rapidjson::Value* key = proto::member(req.body(), "key");
  const rapidjson::Value* msg = proto::member(req.body(), "msg");
  if (key == nullptr || msg == nullptr) {
    node_.reply_error(req, proto::kMalformedRequestCode, "send requires keys \"key\" and \"msg\"");
    return;
  }
  std::string k = key_of(*key);
  PendingSend send{req.reply_to(), proto::to_json(*msg)};
  KeyState& ks = keys_[k];
  if (local_offsets()) {
    // Skip offsets already taken (e.g. learned from peers under the fault).
    while (ks.msgs.count(ks.local_next) > 0) ks.local_next++;
    store(k, ks.local_next++, send);
    return;
  }
  ks.waiting.push_back(std::move(send));
  pump(k);
}

void Kafka::store(const std::string& key, int64_t offset, const PendingSend& send) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  w.String(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Int64(offset);
  w.RawValue(send.msg_json.data(), send.msg_json.size(), rapidjson::kObjectType);
  w.EndArray();
  replica_.add_local(std::string_view(buf.GetString(), buf.GetSize()));
  proto::BodyWriter ok("send_ok");
  ok.put("offset", offset);
  node_.reply(send.to, ok);
}

void Kafka::on_element(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsArray() || d.Size() != 3 || !d[0].IsString() || !d[1].IsInt64()) {
    node_.log("ignoring malformed kafka element " + std::string(json));
    return;
  }
  KeyState& ks = keys_[std::string(proto::view(d[0]))];
  std::string msg = proto::to_json(d[2]);
  auto [it, inserted] = ks.msgs.emplace(d[1].GetInt64(), msg);
  if (!inserted && it->second != msg) {
    node_.log("conflicting messages at offset " + std::to_string(d[1].GetInt64()) + " of key " +
              std::string(proto::view(d[0])) + ": keeping " + it->second + ", dropping " + msg);
  }
}

void Kafka::pump(const std::string& key) {
  KeyState& ks = keys_[key];
  if (ks.busy || ks.waiting.empty()) return;
  ks.busy = true;
  size_t n = std::min(ks.waiting.size(), kAllocBatchMax);
  int64_t from = ks.next_guess;
  int64_t to = from + static_cast<int64_t>(n);
  kv_.cas(next_key(key), std::to_string(from), std::to_string(to), from == 0,
          [this, key, n, from](const node::RpcReply& r) {
            KeyState& k = keys_[key];
            k.busy = false;
            if (r.ok()) {
              k.attempts = 0;
              k.next_guess = from + static_cast<int64_t>(n);
              for (size_t i = 0; i < n; ++i) {
                PendingSend s = std::move(k.waiting.front());
                k.waiting.pop_front();
                store(key, from + static_cast<int64_t>(i), s);
              }
              pump(key);
              return;
            }
            if (r.timed_out()) {
              node_.log("lin-kv cas for offsets " + std::to_string(from) + ".." + std::to_string(from + n - 1) +
                        " of key " + key + " timed out; they may stay unused");
              fail_waiting(k, n, kTimeout, "lin-kv did not answer while allocating an offset");
            } else if (++k.attempts > kCasAttemptsMax) {
              fail_waiting(k, n, kUnavailable, "too much contention allocating an offset; retry");
              k.attempts = 0;
            }
            refresh_next(key);
          });
}

void Kafka::refresh_next(const std::string& key) {
  KeyState& ks = keys_[key];
  ks.busy = true;
  kv_.read(next_key(key), [this, key](const node::RpcReply& r) {
    KeyState& k = keys_[key];
    k.busy = false;
    if (std::optional<int64_t> v = node::KvClient::int_value(r)) {
      k.next_guess = *v;
    } else if (r.is_error() && r.error_code() == kMissing) {
      k.next_guess = 0;
    } else if (r.timed_out()) {
      fail_waiting(k, k.waiting.size(), kUnavailable, "lin-kv did not answer; retry");
    }
    pump(key);
  });
}

void Kafka::fail_waiting(KeyState& k, size_t n, int code, const std::string& text) {
  for (size_t i = 0; i < n && !k.waiting.empty(); ++i) {
    node_.reply_error(k.waiting.front().to, code, text);
    k.waiting.pop_front();
  }
}

void Kafka::handle_poll(const node::Request& req) {
  std::map<std::string, int64_t> offsets;
  if (!read_offsets(proto::member(req.body(), "offsets"), &offsets)) {
    node_.reply_error(req, proto::kMalformedRequestCode,
                      "poll requires \"offsets\": an object of non-negative integers");
    return;
  }
  proto::BodyWriter w("poll_ok");
  w.key("msgs");
  w.json().StartObject();
  for (const auto& [key, from] : offsets) {
    auto ks = keys_.find(key);
    if (ks == keys_.end()) continue;
    auto it = ks->second.msgs.lower_bound(from);
    if (it == ks->second.msgs.end() || it->first != from) continue;
    w.key(key);
    w.json().StartArray();
    int64_t expect = from;
    for (size_t n = 0; it != ks->second.msgs.end() && it->first == expect && n < kPollMax; ++it, ++expect, ++n) {
      w.json().StartArray();
      w.json().Int64(it->first);
      w.raw(it->second);
      w.json().EndArray();
    }
    w.json().EndArray();
  }
  w.json().EndObject();
  node_.reply(req, w);
}

void Kafka::handle_commit(const node::Request& req) {
  std::map<std::string, int64_t> offsets;
  if (!read_offsets(proto::member(req.body(), "offsets"), &offsets)) {
    node_.reply_error(req, proto::kMalformedRequestCode,
                      "commit_offsets requires \"offsets\": an object of non-negative integers");
    return;
  }
  if (local_offsets() || offsets.empty()) {
    for (const auto& [key, off] : offsets) {
      KeyState& ks = keys_[key];
      ks.committed = std::max(ks.committed, off);
    }
    proto::BodyWriter ok("commit_offsets_ok");
    node_.reply(req, ok);
    return;
  }
  struct Gather {
    node::ReplyTo to;
    size_t remaining;
    int worst = -1;
  };
  auto g = std::make_shared<Gather>(Gather{req.reply_to(), offsets.size()});
  for (const auto& [key, off] : offsets) {
    commit_max(key, off, 0, [this, g](int code) {
      if (code >= 0 && (g->worst < 0 || !proto::is_definite(code))) g->worst = code;
      if (--g->remaining > 0) return;
      if (g->worst >= 0) {
        node_.reply_error(g->to, g->worst, "could not record committed offsets in lin-kv");
      } else {
        proto::BodyWriter ok("commit_offsets_ok");
        node_.reply(g->to, ok);
      }
    });
  }
}

void Kafka::commit_max(const std::string& key, int64_t offset, int attempts, std::function<void(int)> done) {
  if (attempts > kCasAttemptsMax) {
    done(kUnavailable);
    return;
  }
  kv_.read(commit_key(key), [this, key, offset, attempts, done](const node::RpcReply& r) {
    if (r.timed_out()) {
      done(kTimeout);
      return;
    }
    std::optional<int64_t> cur = node::KvClient::int_value(r);
    bool missing = r.is_error() && r.error_code() == kMissing;
    if (!cur && !missing) {
      done(kUnavailable);
      return;
    }
    if (cur && *cur >= offset) {
      done(-1);
      return;
    }
    std::string from = cur ? std::to_string(*cur) : std::to_string(offset);
    kv_.cas(commit_key(key), from, std::to_string(offset), missing,
            [this, key, offset, attempts, done](const node::RpcReply& c) {
              if (c.ok()) {
                done(-1);
              } else if (c.timed_out()) {
                done(kTimeout);
              } else {
                commit_max(key, offset, attempts + 1, done);  // raced with another commit
              }
            });
  });
}

void Kafka::handle_list(const node::Request& req) {
  const rapidjson::Value* keys = proto::member(req.body(), "keys");
  if (keys == nullptr || !keys->IsArray()) {
    node_.reply_error(req, proto::kMalformedRequestCode, "list_committed_offsets requires an array \"keys\"");
    return;
  }
  std::vector<std::string> wanted;
  for (const auto& k : keys->GetArray()) wanted.push_back(key_of(k));
  struct Gather {
    node::ReplyTo to;
    size_t remaining;
    std::map<std::string, int64_t> offsets;
    bool failed = false;
  };
  auto g = std::make_shared<Gather>(Gather{req.reply_to(), wanted.size(), {}});
  auto finish = [this](const Gather& gather) {
    if (gather.failed) {
      node_.reply_error(gather.to, kUnavailable, "lin-kv did not answer; retry");
      return;
    }
    proto::BodyWriter w("list_committed_offsets_ok");
    w.key("offsets");
    w.json().StartObject();
    for (const auto& [key, off] : gather.offsets) {
      w.key(key);
      w.json().Int64(off);
    }
    w.json().EndObject();
    node_.reply(gather.to, w);
  };
  if (local_offsets() || wanted.empty()) {
    for (const std::string& k : wanted) {
      auto it = keys_.find(k);
      if (it != keys_.end() && it->second.committed >= 0) g->offsets[k] = it->second.committed;
    }
    finish(*g);
    return;
  }
  for (const std::string& k : wanted) {
    kv_.read(commit_key(k), [g, k, finish](const node::RpcReply& r) {
      if (std::optional<int64_t> v = node::KvClient::int_value(r)) {
        g->offsets[k] = *v;
      } else if (!(r.is_error() && r.error_code() == kMissing)) {
        g->failed = true;
      }
      if (--g->remaining == 0) finish(*g);
    });
  }
}

}  // namespace squall::gossip
