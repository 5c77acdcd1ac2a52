#include "gossip/txn_list_append.h"

#include <algorithm>

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
  kv_.read(kRootKey, [this, a = std::move(a)](const node::RpcReply& r) mutable { on_read(std::move(a), r); });
}

std::optional<TxnListAppend::Snapshot> TxnListAppend::snapshot(const node::RpcReply& r) {
  Snapshot s;
  s.existed = r.ok();
  s.text = "[]";
  if (s.existed) {
    const rapidjson::Value* v = proto::member(r.body(), "value");
    if (v == nullptr) return std::nullopt;
    s.text = proto::to_json(*v);
  }
  rapidjson::Document d;
  d.Parse(s.text.data(), s.text.size());
  auto db = decode(d);
  if (!db) return std::nullopt;
  s.db = std::move(*db);
  return s;
}

void TxnListAppend::on_read(Attempt a, const node::RpcReply& r) {
  if (r.timed_out() || (r.is_error() && r.error_code() != code(proto::ErrorCode::kKeyDoesNotExist))) {
    node_.reply_error(a.to, code(proto::ErrorCode::kTemporarilyUnavailable), "lin-kv read failed; nothing done");
    return;
  }
  auto snap = snapshot(r);
  if (!snap) {
    node_.reply_error(a.to, code(proto::ErrorCode::kCrash), "the database in lin-kv is malformed or lacks a value");
    return;
  }
  std::string stale = last_seen_;
  last_seen_ = snap->text;
  if (!txn_writes(a.ops)) {
    if (faults_.txn_read_skew && !a.ops.empty()) {
      // The first read from an older copy, the rest from the fresh one.
      rapidjson::Document old;
      old.Parse(stale.data(), stale.size());
      auto old_db = decode(old);
      std::vector<TxnOp> first(a.ops.begin(), a.ops.begin() + 1);
      if (old_db) execute(first, *old_db);
      execute(a.ops, snap->db);
      a.ops[0] = first[0];
    } else {
      execute(a.ops, snap->db);
    }
    answer(a);
    return;
  }
  execute(a.ops, snap->db);
  install(std::move(a), snap->text, snap->existed, std::move(snap->db));
}

void TxnListAppend::install(Attempt a, const std::string& from, bool existed, Db db) {
  std::string to = encode(db);
  auto done = [this, a, from](const node::RpcReply& r) mutable {
    if (r.ok()) {
      answer(a);
      return;
    }
    const bool lost_race = !r.timed_out() && (r.error_code() == code(proto::ErrorCode::kPreconditionFailed) ||
                                              r.error_code() == code(proto::ErrorCode::kKeyDoesNotExist) ||
                                              r.error_code() == code(proto::ErrorCode::kKeyAlreadyExists));
    if (r.timed_out() || lost_race) {
      // A refusal may be a duplicate's, answering after the first copy applied; a lost
      // reply says nothing. Either way the database says what happened.
      settle(std::move(a), from);
      return;
    }
    node_.reply_error(a.to, r.error_code(), std::string(r.error_text()));
  };
  if (faults_.txn_lost_update) {
    kv_.write(kRootKey, to, std::move(done));
    return;
  }
  kv_.cas(kRootKey, from, to, !existed, std::move(done));
}

bool TxnListAppend::applied(const Db& db, const std::vector<TxnOp>& ops) {
  for (const TxnOp& op : ops) {
    if (op.f != TxnOp::F::kAppend) continue;
    auto it = db.find(op.key);
    if (it == db.end() || std::find(it->second.begin(), it->second.end(), op.value) == it->second.end()) return false;
  }
  return true;
}

void TxnListAppend::settle(Attempt a, const std::string& from) {
  kv_.read(kRootKey, [this, a = std::move(a), from](const node::RpcReply& r) mutable {
    auto snap = r.timed_out() || (r.is_error() && r.error_code() != code(proto::ErrorCode::kKeyDoesNotExist))
                    ? std::nullopt
                    : snapshot(r);
    if (!snap) {
      if (++a.settles < kAttemptsMax) {
        settle(std::move(a), from);
      } else {
        node_.reply_error(a.to, code(proto::ErrorCode::kTimeout),
                          "lin-kv did not say whether the commit happened; it may have");
      }
      return;
    }
    // Appended values are unique per key (as Elle requires), and the database only
    // grows: our elements in it mean our install applied, with this attempt's reads.
    if (applied(snap->db, a.ops)) {
      answer(a);
      return;
    }
    // Not applied. If the database moved on from `from`, it never comes back to it,
    // so our cas can never apply: re-run on the fresh copy. If it still reads `from`,
    // the cas may be in flight; re-running sends the identical one, which is safe.
    if (++a.attempt < kAttemptsMax) {
      for (auto& op : a.ops)
        if (op.f == TxnOp::F::kRead) op.value = "null";
      on_read(std::move(a), r);
    } else if (snap->text == from) {
      node_.reply_error(a.to, code(proto::ErrorCode::kTimeout), "lin-kv did not take the commit; it still may");
    } else {
      node_.reply_error(a.to, code(proto::ErrorCode::kTxnConflict), "too many conflicting transactions; aborted");
    }
  });
}

void TxnListAppend::answer(const Attempt& a) {
  proto::BodyWriter ok("txn_ok");
  ok.put_raw("txn", txn_json(a.ops));
  node_.reply(a.to, ok);
}

}  // namespace squall::gossip
