// TxnOp: one micro-op of a Maelstrom txn request ([f, k, v]), as the txn engines read it.
//
// Keys and values are kept as JSON text so that they go back to the client exactly as
// sent. parse_txn() validates a request's "txn" member; write_txn() writes the reply's
// "txn" array. Pure functions; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "core/result.h"
#include "proto/body_writer.h"

namespace squall::gossip {

struct TxnOp {
  enum class F { kRead, kWrite, kAppend };
  F f = F::kRead;
  std::string key;    // JSON text
  std::string value;  // JSON text: the written value, or on reads the result ("null" until read)
};

// The micro-ops of a txn body's "txn" member; the error says what is malformed.
Result<std::vector<TxnOp>> parse_txn(const rapidjson::Value& body);

// True if any micro-op writes (w or append).
bool txn_writes(const std::vector<TxnOp>& ops);

// The ops as the JSON array of a txn_ok reply.
std::string txn_json(const std::vector<TxnOp>& ops);

}  // namespace squall::gossip
