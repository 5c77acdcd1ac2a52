#include "gossip/kafka.h"

#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/assert.h"
#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {

constexpr int kUnavailable = proto::code_of(proto::ErrorCode::kTemporarilyUnavailable);
constexpr int kTimeout = proto::code_of(proto::ErrorCode::kTimeout);
constexpr int kMissing = proto::code_of(proto::ErrorCode::kKeyDoesNotExist);

// Kafka keys are strings in Maelstrom; any other JSON key is used by its text.
std::string key_of(const rapidjson::Value& v) { return v.IsString() ? std::string(proto::view(v)) : proto::to_json(v); }

std::string range_key(const std::string& key, int64_t at) {
  return proto::json_string("kafka/at/" + key + "/" + std::to_string(at));
}
// Never a stored value (those are arrays), so a claim's cas only ever creates.
constexpr std::string_view kNoValue = "-1";

std::string range_value(int64_t end, const std::string& owner) {
  return "[" + std::to_string(end) + "," + proto::json_string(owner) + "]";
}

// The [end, owner] of a read_ok for a range key; nullopt for anything else.
std::optional<std::pair<int64_t, std::string>> read_range(const node::RpcReply& r) {
  if (!r.ok() || r.type() != "read_ok") return std::nullopt;
  const rapidjson::Value* v = proto::member(r.body(), "value");
  if (v == nullptr || !v->IsArray() || v->Size() != 2 || !(*v)[0].IsInt64() || !(*v)[1].IsString()) return std::nullopt;
  return std::make_pair((*v)[0].GetInt64(), std::string(proto::view((*v)[1])));
}
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
      timeout_max_ms_(std::min(config.service_timeout_ms, kServiceTimeoutMaxMs)),
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
    int64_t offset = ks.local_next++;
    store(k, offset, offset + 1, send);
    return;
  }
  ks.waiting.push_back(std::move(send));
  pump(k);
}

void Kafka::store(const std::string& key, int64_t offset, int64_t end, const PendingSend& send) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  w.String(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Int64(offset);
  w.RawValue(send.msg_json.data(), send.msg_json.size(), rapidjson::kObjectType);
  w.Int64(end);
  w.EndArray();
  replica_.add_local(std::string_view(buf.GetString(), buf.GetSize()));
  proto::BodyWriter ok("send_ok");
  ok.put("offset", offset);
  node_.reply(send.to, ok);
}

void Kafka::on_element(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsArray() || d.Size() != 4 || !d[0].IsString() || !d[1].IsInt64() || !d[3].IsInt64() ||
      d[3].GetInt64() <= d[1].GetInt64()) {
    node_.log("ignoring malformed kafka element " + std::string(json));
    return;
  }
  KeyState& ks = keys_[std::string(proto::view(d[0]))];
  // Offsets below a range's end are taken: the next free range starts there or later.
  ks.next_guess = std::max(ks.next_guess, d[3].GetInt64());
  std::string msg = proto::to_json(d[2]);
  auto [it, inserted] = ks.msgs.emplace(d[1].GetInt64(), msg);
  if (!inserted && it->second != msg) {
    node_.log("conflicting messages at offset " + std::to_string(d[1].GetInt64()) + " of key " +
              std::string(proto::view(d[0])) + ": keeping " + it->second + ", dropping " + msg);
  }
}

void Kafka::pump(const std::string& key) {
  KeyState& ks = keys_[key];
  if (ks.claim || ks.waiting.empty()) return;
  size_t n = std::min(ks.waiting.size(), kAllocBatchMax);
  ks.claim = Claim{ks.next_guess, ks.next_guess + static_cast<int64_t>(n), n,
                   node_.node_id() + ":" + std::to_string(++claims_made_)};
  send_claim(key);
}

// Creates the range key. A lost reply is answered by sending the identical claim again:
// whichever copy applies, the range carries this claim's name.
void Kafka::send_claim(const std::string& key) {
  const Claim& c = *keys_[key].claim;
  kv().cas(range_key(key, c.at), kNoValue, range_value(c.end, c.owner), true,
           timed([this, key](const node::RpcReply& r) {
             if (r.ok()) {
               claim_won(key);
             } else if (r.timed_out()) {
               send_claim(key);
             } else {
               read_claim(key);  // taken, maybe by an earlier copy of this very claim
             }
           }));
}

void Kafka::read_claim(const std::string& key) {
  const Claim& c = *keys_[key].claim;
  kv().read(range_key(key, c.at), timed([this, key](const node::RpcReply& r) {
              const Claim& claim = *keys_[key].claim;
              if (r.timed_out()) {
                read_claim(key);
              } else if (auto range = read_range(r)) {
                if (range->second == claim.owner) {
                  claim_won(key);
                } else {
                  claim_lost(key, range->first);
                }
              } else {
                send_claim(key);  // not there after all: the claim is still open to win
              }
            }));
}

void Kafka::claim_won(const std::string& key) {
  KeyState& ks = keys_[key];
  Claim c = std::move(*ks.claim);
  ks.claim.reset();
  ks.attempts = 0;
  ks.next_guess = std::max(ks.next_guess, c.end);
  SQ_ASSERT(ks.waiting.size() >= c.sends);  // only a settled claim takes sends off the queue
  for (size_t i = 0; i < c.sends; ++i) {
    PendingSend s = std::move(ks.waiting.front());
    ks.waiting.pop_front();
    store(key, c.at + static_cast<int64_t>(i), c.end, s);
  }
  pump(key);
}

void Kafka::claim_lost(const std::string& key, int64_t taken_until) {
  KeyState& ks = keys_[key];
  Claim c = std::move(*ks.claim);
  ks.claim.reset();
  ks.next_guess = std::max(ks.next_guess, taken_until);
  if (++ks.attempts > kCasAttemptsMax) {
    // These sends were never stored: the refusal is definite.
    fail_waiting(ks, c.sends, kUnavailable, "too much contention allocating an offset; retry");
    ks.attempts = 0;
  }
  pump(key);
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
  kv().read(commit_key(key), timed([this, key, offset, attempts, done](const node::RpcReply& r) {
              if (r.timed_out()) {
                // A read changes nothing: ask again (lost messages are answered by retries).
                if (attempts + 1 >= kServiceAttemptsMax) {
                  done(kTimeout);
                } else {
                  commit_max(key, offset, attempts + 1, done);
                }
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
              kv().cas(commit_key(key), from, std::to_string(offset), missing,
                       timed([this, key, offset, attempts, done](const node::RpcReply& c) {
                         if (c.ok()) {
                           done(-1);
                         } else if (c.timed_out() && attempts + 1 >= kServiceAttemptsMax) {
                           done(kTimeout);
                         } else {
                           // Raced with another commit, or the reply was lost: read again; a commit
                           // that did apply shows as an offset already high enough.
                           commit_max(key, offset, attempts + 1, done);
                         }
                       }));
            }));
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
    read_committed(k, 0, [g, k, finish](std::optional<int64_t> v, bool ok) {
      if (v) g->offsets[k] = *v;
      if (!ok) g->failed = true;
      if (--g->remaining == 0) finish(*g);
    });
  }
}

void Kafka::read_committed(const std::string& key, int attempts,
                           std::function<void(std::optional<int64_t>, bool ok)> done) {
  kv().read(commit_key(key), timed([this, key, attempts, done](const node::RpcReply& r) {
              if (std::optional<int64_t> v = node::KvClient::int_value(r)) {
                done(v, true);
              } else if (r.is_error() && r.error_code() == kMissing) {
                done(std::nullopt, true);
              } else if (r.timed_out() && attempts + 1 < kServiceAttemptsMax) {
                read_committed(key, attempts + 1, done);  // a lost message: reads are safe to repeat
              } else {
                done(std::nullopt, false);
              }
            }));
}

node::KvClient Kafka::kv() const {
  // Before any answer, the configured timeout; then about four round trips, so a lost
  // message is resent soon while a slow answer is rarely mistaken for a lost one (and
  // when it is, the resend is harmless).
  int64_t t = timeout_max_ms_;
  if (rtt_ms_ >= 0) t = std::clamp<int64_t>(4 * rtt_ms_ + 50, std::min(kServiceTimeoutMinMs, t), t);
  return node::KvClient(node_, "lin-kv", t);
}

node::KvClient::Callback Kafka::timed(node::KvClient::Callback cb) {
  int64_t sent_ms = node_.now_ms();
  return [this, sent_ms, cb = std::move(cb)](const node::RpcReply& r) {
    if (!r.timed_out()) {
      int64_t rtt = node_.now_ms() - sent_ms;
      rtt_ms_ = rtt_ms_ < 0 ? rtt : (7 * rtt_ms_ + rtt) / 8;
    }
    cb(r);
  };
}

}  // namespace squall::gossip
