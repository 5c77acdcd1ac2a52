#include "gossip/txn_ops.h"

#include "proto/json_util.h"

namespace squall::gossip {

Result<std::vector<TxnOp>> parse_txn(const rapidjson::Value& body) {
  const rapidjson::Value* txn = proto::member(body, "txn");
  if (txn == nullptr || !txn->IsArray()) return err("txn requires an array \"txn\" of [f, k, v] micro-ops");
  std::vector<TxnOp> ops;
  for (const auto& m : txn->GetArray()) {
    if (!m.IsArray() || m.Size() != 3 || !m[0].IsString()) return err("each micro-op must be [f, k, v]");
    std::string_view f(m[0].GetString(), m[0].GetStringLength());
    TxnOp op;
    if (f == "r") {
      op.f = TxnOp::F::kRead;
    } else if (f == "w") {
      op.f = TxnOp::F::kWrite;
    } else if (f == "append") {
      op.f = TxnOp::F::kAppend;
    } else {
      return err("unknown micro-op \"" + std::string(f) + "\" (expected r, w or append)");
    }
    op.key = proto::to_json(m[1]);
    op.value = op.f == TxnOp::F::kRead ? "null" : proto::to_json(m[2]);
    ops.push_back(std::move(op));
  }
  return ops;
}

bool txn_writes(const std::vector<TxnOp>& ops) {
  for (const auto& op : ops)
    if (op.f != TxnOp::F::kRead) return true;
  return false;
}

std::string txn_json(const std::vector<TxnOp>& ops) {
  std::string out = "[";
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0) out += ",";
    const char* f = ops[i].f == TxnOp::F::kRead ? "r" : ops[i].f == TxnOp::F::kWrite ? "w" : "append";
    out += std::string("[\"") + f + "\"," + ops[i].key + "," + ops[i].value + "]";
  }
  return out + "]";
}

}  // namespace squall::gossip
