// TxnListAppend: txn-list-append served strict serializable on top of the lin-kv service.
//
// The whole database is one lin-kv value (under the key "txn-list-append"): a JSON array
// of [key, [elements...]] pairs. A transaction reads it, executes on that copy and, if it
// appended anything, installs the result with cas from the exact text it read; a cas
// that loses to another node's (error 22) re-runs the transaction on a fresh read, up to
// kAttemptsMax times, then answers error 30 (txn-conflict, a definite abort). Read-only
// transactions answer from the value they read. Every transaction therefore takes effect
// at one linearizable step of lin-kv inside its own invocation window, which is strict
// serializability. A lin-kv timeout on the cas is answered with error 0 (indefinite: the
// cas may have happened); on the read, with error 11 (nothing happened).
// Faults (negative controls):
//   txn-lost-update  installs with a plain write instead of cas: concurrent transactions
//                    overwrite each other's appends (lost update, incompatible orders)
//   txn-read-skew    read-only transactions read their first micro-op from the last value
//                    this node saw and the rest from a fresh read (G-single)
// Not thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gossip/config.h"
#include "gossip/faults.h"
#include "gossip/txn_ops.h"
#include "node/kv_client.h"
#include "node/node.h"

namespace squall::gossip {

class TxnListAppend {
 public:
  static constexpr int kAttemptsMax = 20;
  static constexpr const char* kRootKey = "\"txn-list-append\"";

  TxnListAppend(node::Node& node, const GossipConfig& config, const Faults& faults);
  TxnListAppend(const TxnListAppend&) = delete;
  TxnListAppend& operator=(const TxnListAppend&) = delete;

  void handle(const node::Request& req);

  using Db = std::map<std::string, std::vector<std::string>>;  // key JSON -> element JSONs
  // The database encoded as lin-kv holds it, and back (nullopt for text that is not one).
  static std::string encode(const Db& db);
  static std::optional<Db> decode(const rapidjson::Value& v);
  // Runs `ops` on `db`: reads fill in their values, appends extend db.
  static void execute(std::vector<TxnOp>& ops, Db& db);

 private:
  struct Attempt {
    node::ReplyTo to;
    std::vector<TxnOp> ops;
    int attempt = 0;
  };
  void run(Attempt a);
  void install(Attempt a, const std::string& from, bool existed, Db db);
  void answer(const Attempt& a);

  node::Node& node_;
  const Faults& faults_;
  node::KvClient kv_;
  std::string last_seen_ = "[]";  // txn-read-skew: the last database text this node read
};

}  // namespace squall::gossip
