#include "gossip/counter_replica.h"

#include <algorithm>

#include "gossip/rounds.h"
#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

CounterReplica::CounterReplica(node::Node& node, const GossipConfig& config, const Faults& faults)
    : node_(node), config_(config), faults_(faults) {
  node_.on("ctr_state", [this](const node::Request& r) { handle_state(r); });
  node_.on_init([this](int64_t now_ms) { start(now_ms); });
}

void CounterReplica::start(int64_t) {
  overlay_ = make_star(node_.node_id(), node_.node_ids(), node_.node_index());
  for (const std::string& id : overlay_.neighbors) peers_.push_back(Peer{id, {}, false, config_.retransmit_ms});
  rng_ = Rng(config_.seed ^ fnv1a64(node_.node_id())).fork("ctr");
  if (faults_.no_gossip) return;
  schedule_rounds(
      node_, config_, &rng_, [this] { gossip_tick(); }, [this] { anti_entropy_tick(); });
}

bool CounterReplica::add_local(int64_t delta) {
  touched_ = true;
  return state_.add(node_.node_id(), delta);
}

void CounterReplica::write_state(proto::BodyWriter& w) const {
  // {"n0":[p,n], …}: compact, and every entry is a plain merge.
  w.key("counts");
  w.json().StartObject();
  for (const auto& [node, t] : state_.entries()) {
    w.key(node);
    w.json().StartArray();
    w.json().Int64(t.p);
    w.json().Int64(t.n);
    w.json().EndArray();
  }
  w.json().EndObject();
}

void CounterReplica::gossip_tick() {
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& p = peers_[i];
    if (p.in_flight || state_.leq(p.known)) continue;
    proto::BodyWriter w("ctr_state");
    write_state(w);
    p.in_flight = true;
    stats_.batches_sent++;
    node_.rpc(p.id, w, p.rto_ms, [this, i, sent = state_](const node::RpcReply& r) {
      Peer& peer = peers_[i];
      peer.in_flight = false;
      if (r.ok()) {
        stats_.batches_acked++;
        peer.known.merge(sent);
        peer.rto_ms = config_.retransmit_ms;
      } else {
        stats_.batches_timed_out++;
        peer.rto_ms = std::min(peer.rto_ms * 2, config_.retransmit_max_ms);
      }
    });
  }
}

void CounterReplica::anti_entropy_tick() {
  if (overlay_.other_count() == 0 || state_.entries().empty()) return;
  const std::string& peer = overlay_.other(rng_.below(overlay_.other_count()));
  proto::BodyWriter w("ctr_state");
  write_state(w);
  stats_.digests_sent++;
  node_.send(peer, w);
}

void CounterReplica::handle_state(const node::Request& req) {
  touched_ = true;
  const rapidjson::Value* counts = proto::member(req.body(), "counts");
  if (counts == nullptr || !counts->IsObject()) {
    node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest),
                      "ctr_state requires an object \"counts\"");
    return;
  }
  PnCounter incoming;
  for (auto it = counts->MemberBegin(); it != counts->MemberEnd(); ++it) {
    const rapidjson::Value& pn = it->value;
    if (!pn.IsArray() || pn.Size() != 2 || !pn[0].IsInt64() || !pn[1].IsInt64()) {
      node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest),
                        "ctr_state counts must map node ids to [p, n] integer pairs");
      return;
    }
    incoming.merge_entry(std::string(proto::view(it->name)), {pn[0].GetInt64(), pn[1].GetInt64()});
  }
  state_.merge(incoming);
  for (Peer& p : peers_) {
    if (p.id == req.src()) p.known.merge(incoming);
  }
  proto::BodyWriter ok("ctr_state_ok");
  node_.reply(req, ok);
}

}  // namespace squall::gossip
