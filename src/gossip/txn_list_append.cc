#include "gossip/txn_list_append.h"

#include <rapidjson/document.h>

#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {

int code(proto::ErrorCode c) { return proto::code_of(c); }

// The list for a read of `key` as JSON text: null when the key was never appended to.
std::string list_json(const TxnListAppend::Db& db, const std::string& key) {
  auto it = db.find(key);
  if (it == db.end()) return "null";
  std::string out = "[";
  for (size_t i = 0; i < it->second.size(); ++i) out += (i ? "," : "") + it->second[i];
  return out + "]";
}

}  // namespace

TxnListAppend::TxnListAppend(node::Node& node, const GossipConfig& config, const Faults& faults)
    : node_(node), faults_(faults), kv_(node, "lin-kv", config.service_timeout_ms) {}

std::string TxnListAppend::encode(const Db& db) {
  std::string out = "[";
  bool first = true;
  for (const auto& [k, elems] : db) {
    out += (first ? "[" : ",[") + k + "," + list_json(db, k) + "]";
    first = false;
  }
  return out + "]";
}

std::optional<TxnListAppend::Db> TxnListAppend::decode(const rapidjson::Value& v) {
  if (!v.IsArray()) return std::nullopt;
  Db db;
  for (const auto& pair : v.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[1].IsArray()) return std::nullopt;
    auto& list = db[proto::to_json(pair[0])];
    for (const auto& e : pair[1].GetArray()) list.push_back(proto::to_json(e));
  }
  return db;
}

void TxnListAppend::execute(std::vector<TxnOp>& ops, Db& db) {
  for (auto& op : ops) {
    if (op.f == TxnOp::F::kAppend)
      db[op.key].push_back(op.value);
    else
      op.value = list_json(db, op.key);
  }
}

void TxnListAppend::handle(const node::Request& req) {
  auto ops = parse_txn(req.body());
  if (!ops.ok()) {
    node_.reply_error(req, code(proto::ErrorCode::kMalformedRequest), ops.error());
    return;
  }
  for (const auto& op : *ops)
    if (op.f == TxnOp::F::kWrite) {
      node_.reply_error(req, code(proto::ErrorCode::kMalformedRequest), "w in a list-append transaction");
      return;
    }
  run(Attempt{req.reply_to(), std::move(*ops), 0});
}

void TxnListAppend::run(Attempt a) {
  kv_.read(kRootKey, [this, a = std::move(a)](const node::RpcReply& r) mutable {
    if (r.timed_out() || (r.is_error() && r.error_code() != code(proto::ErrorCode::kKeyDoesNotExist))) {
      node_.reply_error(a.to, code(proto::ErrorCode::kTemporarilyUnavailable), "lin-kv read failed; nothing done");
      return;
    }
    bool existed = r.ok();
    std::string text = "[]";
    if (existed) {
      const rapidjson::Value* v = proto::member(r.body(), "value");
      if (v == nullptr) {
        node_.reply_error(a.to, code(proto::ErrorCode::kTemporarilyUnavailable), "lin-kv read_ok lacked a value");
        return;
      }
      text = proto::to_json(*v);
    }
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    auto db = decode(d);
    if (!db) {
      node_.reply_error(a.to, code(proto::ErrorCode::kCrash), "the database in lin-kv is malformed");
      return;
    }
    std::string stale = last_seen_;
    last_seen_ = text;
    if (!txn_writes(a.ops)) {
      if (faults_.txn_read_skew && !a.ops.empty()) {
        // The first read from an older copy, the rest from the fresh one.
        rapidjson::Document old;
        old.Parse(stale.data(), stale.size());
        auto old_db = decode(old);
        std::vector<TxnOp> first(a.ops.begin(), a.ops.begin() + 1);
        if (old_db) execute(first, *old_db);
        execute(a.ops, *db);
        a.ops[0] = first[0];
      } else {
        execute(a.ops, *db);
      }
      answer(a);
      return;
    }
    execute(a.ops, *db);
    install(std::move(a), text, existed, std::move(*db));
  });
}

void TxnListAppend::install(Attempt a, const std::string& from, bool existed, Db db) {
  std::string to = encode(db);
  auto done = [this, a](const node::RpcReply& r) mutable {
    if (r.timed_out()) {
      node_.reply_error(a.to, code(proto::ErrorCode::kTimeout),
                        "lin-kv did not answer the commit; it may have happened");
      return;
    }
    if (r.ok()) {
      answer(a);
      return;
    }
    bool lost_race = r.error_code() == code(proto::ErrorCode::kPreconditionFailed) ||
                     r.error_code() == code(proto::ErrorCode::kKeyDoesNotExist) ||
                     r.error_code() == code(proto::ErrorCode::kKeyAlreadyExists);
    if (lost_race && ++a.attempt < kAttemptsMax) {
      for (auto& op : a.ops)
        if (op.f == TxnOp::F::kRead) op.value = "null";
      run(std::move(a));
      return;
    }
    node_.reply_error(a.to, lost_race ? code(proto::ErrorCode::kTxnConflict) : r.error_code(),
                      lost_race ? "too many conflicting transactions; aborted" : std::string(r.error_text()));
  };
  if (faults_.txn_lost_update) {
    kv_.write(kRootKey, to, std::move(done));
    return;
  }
  kv_.cas(kRootKey, from, to, !existed, std::move(done));
}

void TxnListAppend::answer(const Attempt& a) {
  proto::BodyWriter ok("txn_ok");
  ok.put_raw("txn", txn_json(a.ops));
  node_.reply(a.to, ok);
}

}  // namespace squall::gossip
