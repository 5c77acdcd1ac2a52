#include "gossip/txn_register.h"

#include <rapidjson/document.h>

#include "gossip/txn_ops.h"
#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

TxnRegister::TxnRegister(node::Node& node, const GossipConfig& config, const Faults& faults)
    : node_(node), faults_(faults), replica_(node, "tx", config, faults) {
  replica_.on_new([this](std::string_view json) { apply(json); });
}

std::string TxnRegister::value(const std::string& key_json) const {
  auto it = registers_.find(key_json);
  return it == registers_.end() ? "null" : it->second.value;
}

void TxnRegister::handle(const node::Request& req) {
  auto ops = parse_txn(req.body());
  if (!ops.ok()) {
    node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest), ops.error());
    return;
  }
  std::map<std::string, std::string> writes;  // this transaction's last write per key
  for (auto& op : *ops) {
    if (op.f == TxnOp::F::kAppend) {
      node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest),
                        "append in an rw-register transaction");
      return;
    }
    if (op.f == TxnOp::F::kWrite) {
      writes[op.key] = op.value;
      continue;
    }
    auto own = writes.find(op.key);
    op.value = own != writes.end() ? own->second : value(op.key);
  }
  if (!writes.empty()) {
    std::string element = "[" + std::to_string(++clock_) + "," + proto::json_string(node_.node_id()) + ",[";
    bool first = true;
    for (const auto& [k, v] : writes) {
      element += (first ? "[" : ",[") + k + "," + v + "]";
      first = false;
    }
    element += "]]";
    replica_.add_local(element);  // applies it here at once (on_new)
    if (faults_.txn_aborted_read && ++writing_txns_ % 3 == 0) {
      node_.reply_error(req, proto::code_of(proto::ErrorCode::kTxnConflict),
                        "aborted (fault txn-aborted-read: its writes stay visible)");
      return;
    }
  }
  proto::BodyWriter ok("txn_ok");
  ok.put_raw("txn", txn_json(*ops));
  node_.reply(req, ok);
}

void TxnRegister::apply(std::string_view element_json) {
  rapidjson::Document d;
  d.Parse(element_json.data(), element_json.size());
  if (d.HasParseError() || !d.IsArray() || d.Size() != 3 || !d[0].IsInt64() || !d[1].IsString() || !d[2].IsArray()) {
    node_.log("txn gossip: ignoring a malformed element");
    return;
  }
  int64_t ts = d[0].GetInt64();
  std::string from = d[1].GetString();
  if (ts > clock_) clock_ = ts;
  for (const auto& kv : d[2].GetArray()) {
    if (!kv.IsArray() || kv.Size() != 2) continue;
    std::string key = proto::to_json(kv[0]);
    Version& v = registers_[key];
    if (v.node.empty() || ts > v.ts || (ts == v.ts && from > v.node)) v = Version{ts, from, proto::to_json(kv[1])};
  }
}

}  // namespace squall::gossip
