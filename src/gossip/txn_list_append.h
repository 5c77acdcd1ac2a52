// TxnListAppend: txn-list-append served strict serializable on top of the lin-kv service.
//
// The whole database is one lin-kv value (under the key "txn-list-append"): a JSON array
// of [key, [elements...]] pairs. A transaction reads it, executes on that copy and, if it
// appended anything, installs the result with cas from the exact text it read; a cas
// that loses to another node's (error 22) re-runs the transaction on a fresh read, up to
// kAttemptsMax times, then answers error 30 (txn-conflict, a definite abort). Read-only
// transactions answer from the value they read. Every transaction therefore takes effect
// at one linearizable step of lin-kv inside its own invocation window, which is strict
// serializability. A cas refused or unanswered is settled by reading the database back:
// a refusal may be a duplicate's answering after the first copy applied, and appended
// values are unique per key while the database only grows, so finding this
// transaction's elements means it applied (answered with that attempt's reads); not
// finding them means it did not, and it re-runs. Only when lin-kv never says is the
// answer error 0 (indefinite); a failed first read is error 11 (nothing happened).
// Faults (negative controls):
//   txn-lost-update  installs with a plain write instead of cas: concurrent transactions
//                    overwrite each other's appends (lost update, incompatible orders)
//   txn-read-skew    read-only transactions read their first micro-op from the last value
//                    this node saw and the rest from a fresh read (G-single)
// Not thread-safe.
#pragma once

#include <map>
#include <optional>
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
    int settles = 0;  // reads spent learning whether an install applied
  };
  // The database as one read returned it (text "[]" when the key does not exist yet).
  struct Snapshot {
    std::string text;
    bool existed = false;
    Db db;
  };
  static std::optional<Snapshot> snapshot(const node::RpcReply& r);
  // True when every element `ops` appends is in `db`.
  static bool applied(const Db& db, const std::vector<TxnOp>& ops);
  void run(Attempt a);
  void on_read(Attempt a, const node::RpcReply& r);
  void install(Attempt a, const std::string& from, bool existed, Db db);
  void settle(Attempt a, const std::string& from);
  void answer(const Attempt& a);

  node::Node& node_;
  const Faults& faults_;
  node::KvClient kv_;
  std::string last_seen_ = "[]";  // txn-read-skew: the last database text this node read
};

}  // namespace squall::gossip
