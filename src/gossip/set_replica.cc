#include "gossip/set_replica.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "gossip/rounds.h"
#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

namespace {

// The compact JSON text of one received element, as proto::to_json writes it, but
// without a string allocation for integers (nearly every broadcast element): syncs
// carry whole sets, and re-rendering each element dominated a replica's work.
class ElementText {
 public:
  explicit ElementText(const rapidjson::Value& v) {
    if (v.IsInt64()) {
      auto r = std::to_chars(buf_, buf_ + sizeof buf_, v.GetInt64());
      view_ = std::string_view(buf_, static_cast<size_t>(r.ptr - buf_));
    } else {
      owned_ = proto::to_json(v);
      view_ = owned_;
    }
  }
  ElementText(const ElementText&) = delete;
  ElementText& operator=(const ElementText&) = delete;
  std::string_view view() const { return view_; }

 private:
  char buf_[24];
  std::string owned_;
  std::string_view view_;
};

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

void write_elements(proto::BodyWriter& w, std::string_view key, const GSet& set) {
  w.key(key);
  w.json().StartArray();
  for (const std::string& e : set.elements()) w.raw(e);
  w.json().EndArray();
}

SetReplica::SetReplica(node::Node& node, std::string prefix, const GossipConfig& config, const Faults& faults)
    : node_(node), prefix_(std::move(prefix)), config_(config), faults_(faults) {
  node_.on(type("_gossip"), [this](const node::Request& r) { handle_gossip(r); });
  node_.on(type("_digest"), [this](const node::Request& r) { handle_digest(r); });
  node_.on(type("_sync"), [this](const node::Request& r) { handle_sync(r); });
  node_.on_init([this](int64_t now_ms) { start(now_ms); });
}

void SetReplica::start(int64_t) {
  overlay_ = make_star(node_.node_id(), node_.node_ids(), node_.node_index());
  for (const std::string& id : overlay_.neighbors) {
    peer_index_.emplace(id, peers_.size());
    peers_.push_back(Peer{id, {}, config_.retransmit_ms});
  }
  rng_ = Rng(config_.seed ^ fnv1a64(node_.node_id())).fork(prefix_);
  if (faults_.no_gossip) return;
  schedule_rounds(
      node_, config_, &rng_, [this] { gossip_tick(); }, [this] { anti_entropy_tick(); });
}

bool SetReplica::touched() const { return set_.size() > 0; }

bool SetReplica::add_local(std::string_view json) {
  size_t before = set_.size();
  learn(json, std::string_view());
  return set_.size() > before;
}

uint32_t SetReplica::learn(std::string_view json, std::string_view from) {
  auto [index, added] = set_.add_indexed(json);
  if (!added) return index;
  for (Peer& p : peers_) {
    if (p.id != from) p.queued.push_back(index);
  }
  if (on_new_) on_new_(set_.elements().back());
  return index;
}

void SetReplica::gossip_tick() {
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (!peers_[i].queued.empty()) send_batch(i);
  }
}

void SetReplica::send_batch(size_t peer_index) {
  Peer& p = peers_[peer_index];
  size_t n = std::min(p.queued.size(), config_.batch_max);
  std::vector<uint32_t> batch(p.queued.begin(), p.queued.begin() + static_cast<std::ptrdiff_t>(n));
  p.queued.erase(p.queued.begin(), p.queued.begin() + static_cast<std::ptrdiff_t>(n));
  proto::BodyWriter w(type("_gossip"));
  w.key("elems");
  w.json().StartArray();
  for (uint32_t i : batch) w.raw(set_.elements()[i]);
  w.json().EndArray();
  stats_.batches_sent++;
  node_.rpc(p.id, w, p.rto_ms, [this, peer_index, batch = std::move(batch)](const node::RpcReply& r) {
    Peer& peer = peers_[peer_index];
    if (r.ok()) {
      stats_.batches_acked++;
      peer.rto_ms = config_.retransmit_ms;
      return;
    }
    // Lost (partition) or refused: queue it again, and back off so that an unreachable
    // peer costs little until it answers.
    stats_.batches_timed_out++;
    peer.queued.insert(peer.queued.begin(), batch.begin(), batch.end());
    peer.rto_ms = std::min(peer.rto_ms * 2, config_.retransmit_max_ms);
  });
}

void SetReplica::anti_entropy_tick() {
  // An empty replica has nothing to offer; peers that hold elements reach it with their
  // own digests. This also keeps the replicas of workloads not being run silent.
  if (overlay_.other_count() == 0 || set_.size() == 0) return;
  const std::string& peer = overlay_.other(rng_.below(overlay_.other_count()));
  proto::BodyWriter w(type("_digest"));
  w.put("count", static_cast<int64_t>(set_.size()));
  w.put("digest", hex(set_.digest()));
  stats_.digests_sent++;
  node_.send(peer, w);
}

void SetReplica::handle_gossip(const node::Request& req) {
  const rapidjson::Value* elems = proto::member(req.body(), "elems");
  if (elems == nullptr || !elems->IsArray()) {
    node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest),
                      type("_gossip") + " requires an array \"elems\"");
    return;
  }
  for (const auto& v : elems->GetArray()) learn(ElementText(v).view(), req.src());
  proto::BodyWriter ok(type("_gossip_ok"));
  node_.reply(req, ok);
}

void SetReplica::handle_digest(const node::Request& req) {
  std::optional<int64_t> count = proto::get_int(req.body(), "count");
  std::optional<std::string_view> digest = proto::get_string(req.body(), "digest");
  if (!count || !digest) {
    node_.log("ignoring " + type("_digest") + " without count/digest from " + std::string(req.src()));
    return;
  }
  if (static_cast<size_t>(*count) == set_.size() && *digest == hex(set_.digest())) return;
  if (faults_.no_gossip) return;
  std::vector<uint32_t> all(set_.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  send_sync(req.src(), all, true);
}

void SetReplica::handle_sync(const node::Request& req) {
  const rapidjson::Value* elems = proto::member(req.body(), "elems");
  if (elems == nullptr || !elems->IsArray()) {
    node_.log("ignoring " + type("_sync") + " without elems from " + std::string(req.src()));
    return;
  }
  // Every element they sent is ours once learned, so what they hold is a set of our
  // indices.
  std::vector<uint32_t> theirs;
  bool back = proto::get_bool(req.body(), "back").value_or(false);
  for (const auto& v : elems->GetArray()) {
    uint32_t index = learn(ElementText(v).view(), req.src());
    if (back) theirs.push_back(index);
  }
  if (!back || faults_.no_gossip) return;
  std::vector<bool> held(set_.size(), false);
  for (uint32_t i : theirs) held[i] = true;
  std::vector<uint32_t> missing;
  for (uint32_t i = 0; i < set_.size(); ++i) {
    if (!held[i]) missing.push_back(i);
  }
  if (!missing.empty()) send_sync(req.src(), missing, false);
}

void SetReplica::send_sync(std::string_view dest, const std::vector<uint32_t>& indices, bool back) {
  proto::BodyWriter w(type("_sync"));
  w.key("elems");
  w.json().StartArray();
  size_t n = std::min(indices.size(), config_.sync_max);
  for (size_t i = 0; i < n; ++i) w.raw(set_.elements()[indices[i]]);
  w.json().EndArray();
  w.put_bool("back", back);
  stats_.syncs_sent++;
  node_.send(dest, w);
}

}  // namespace squall::gossip
