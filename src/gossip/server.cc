#include "gossip/server.h"

#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {

Server::Mode mode_of(const std::string& workload) {
  if (workload == "broadcast") return Server::Mode::kBroadcast;
  if (workload == "g-set") return Server::Mode::kGSet;
  if (workload == "g-counter" || workload == "pn-counter") return Server::Mode::kCounter;
  return Server::Mode::kUnknown;
}

}  // namespace

Status validate_workload(const std::string& name) {
  if (name.empty() || mode_of(name) != Server::Mode::kUnknown) return {};
  return err("--workload must be one of broadcast, g-set, g-counter, pn-counter (got \"" + name +
             "\"); other workloads need no pin");
}

Server::Server(node::Node& node, GossipConfig config, Faults faults)
    : node_(node),
      config_(std::move(config)),
      faults_(std::move(faults)),
      pinned_(mode_of(config_.workload)),
      echo_(node),
      ids_(node, faults_),
      broadcast_(node, "bc", config_, faults_),
      gset_(node, "gs", config_, faults_),
      counter_(node, config_, faults_),
      lin_kv_(node, config_, faults_),
      kafka_(node, config_, faults_),
      txn_register_(node, config_, faults_),
      txn_list_append_(node, config_, faults_) {
  SQ_ASSERT_MSG(validate_workload(config_.workload).ok(), config_.workload);
  node_.on("topology", [this](const node::Request& r) { handle_topology(r); });
  node_.on("broadcast", [this](const node::Request& r) { handle_broadcast(r); });
  node_.on("add", [this](const node::Request& r) { handle_add(r); });
  node_.on("read", [this](const node::Request& r) { handle_read(r); });
  node_.on("txn", [this](const node::Request& r) { handle_txn(r); });
}

void Server::handle_txn(const node::Request& req) {
  auto ops = parse_txn(req.body());
  if (ops.ok())
    for (const auto& op : *ops) {
      if (op.f == TxnOp::F::kWrite) txn_mode_ = TxnMode::kRegister;
      if (op.f == TxnOp::F::kAppend) txn_mode_ = TxnMode::kListAppend;
    }
  if (txn_mode_ == TxnMode::kRegister || (txn_mode_ == TxnMode::kUnknown && txn_register_.touched()))
    txn_register_.handle(req);
  else
    txn_list_append_.handle(req);
}

Server::Mode Server::mode() const {
  if (pinned_ != Mode::kUnknown) return pinned_;
  if (mode_ != Mode::kUnknown) return mode_;
  // Nothing from a client yet: a peer's gossip tells which workload runs.
  if (broadcast_.touched()) return Mode::kBroadcast;
  if (gset_.touched()) return Mode::kGSet;
  if (counter_.touched()) return Mode::kCounter;
  return Mode::kUnknown;
}

void Server::handle_topology(const node::Request& req) {
  const rapidjson::Value* topo = proto::member(req.body(), "topology");
  if (topo == nullptr || !topo->IsObject()) {
    node_.reply_error(req, proto::kMalformedRequestCode, "topology requires an object \"topology\"");
    return;
  }
  if (mode_ != Mode::kBroadcast) {
    node_.log("topology acknowledged but not used: gossip runs on a star around " + node_.node_ids().front() +
              " plus anti-entropy");
  }
  mode_ = Mode::kBroadcast;
  proto::BodyWriter ok("topology_ok");
  node_.reply(req, ok);
}

void Server::handle_broadcast(const node::Request& req) {
  const rapidjson::Value* message = proto::member(req.body(), "message");
  if (message == nullptr) {
    node_.reply_error(req, proto::kMalformedRequestCode, "broadcast requires key \"message\"");
    return;
  }
  mode_ = Mode::kBroadcast;
  broadcast_.add_local(proto::to_json(*message));
  proto::BodyWriter ok("broadcast_ok");
  node_.reply(req, ok);
}

bool Server::drop_this_add() { return faults_.lose_adds && (++adds_ % 3 == 0); }

void Server::handle_add(const node::Request& req) {
  if (const rapidjson::Value* element = proto::member(req.body(), "element")) {
    mode_ = Mode::kGSet;
    if (!drop_this_add()) gset_.add_local(proto::to_json(*element));
    proto::BodyWriter ok("add_ok");
    node_.reply(req, ok);
    return;
  }
  const rapidjson::Value* delta = proto::member(req.body(), "delta");
  if (delta == nullptr || !delta->IsInt64()) {
    node_.reply_error(req, proto::kMalformedRequestCode,
                      "add requires an integer \"delta\" (counters) or an \"element\" (g-set)");
    return;
  }
  mode_ = Mode::kCounter;
  if (!drop_this_add() && !counter_.add_local(delta->GetInt64())) {
    node_.reply_error(req, proto::code_of(proto::ErrorCode::kAbort), "add would overflow the counter");
    return;
  }
  proto::BodyWriter ok("add_ok");
  node_.reply(req, ok);
}

void Server::handle_read(const node::Request& req) {
  if (proto::member(req.body(), "key") != nullptr) {
    lin_kv_.handle_read(req);
    return;
  }
  proto::BodyWriter w("read_ok");
  switch (mode()) {
    case Mode::kBroadcast: write_elements(w, "messages", broadcast_.set()); break;
    case Mode::kGSet: write_elements(w, "value", gset_.set()); break;
    case Mode::kCounter: w.put("value", counter_.value()); break;
    case Mode::kUnknown:
      node_.reply_error(req, proto::code_of(proto::ErrorCode::kTemporarilyUnavailable),
                        "this node cannot tell yet whether it serves broadcast, g-set or a counter (no add, "
                        "broadcast or gossip seen); retry, or start it with --workload");
      return;
  }
  node_.reply(req, w);
}

}  // namespace squall::gossip
