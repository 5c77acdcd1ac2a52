#include "gossip/testing/sim_cluster.h"

#include "core/assert.h"
#include "gossip/testing/node_harness.h"
#include "proto/json_util.h"
#include "proto/message.h"

namespace squall::gossip::testing {

SimCluster::SimCluster(int nodes, GossipConfig config, Faults faults, int64_t latency_ms, uint64_t seed)
    : seed_(seed), rng_(seed), latency_ms_(latency_ms) {
  std::string ids;
  for (int i = 0; i < nodes; ++i) ids += (i ? "," : "") + proto::json_string(id(i));
  for (int i = 0; i < nodes; ++i) {
    nodes_.push_back(std::make_unique<node::Node>());
    servers_.push_back(std::make_unique<Server>(*nodes_.back(), config, faults));
    std::string init =
        R"({"type":"init","msg_id":1,"node_id":)" + proto::json_string(id(i)) + ",\"node_ids\":[" + ids + "]}";
    nodes_.back()->receive_line(envelope("c0", id(i), init), 0);
    nodes_.back()->outbox().clear();
  }
}

int SimCluster::index_of(const std::string& id) const {
  if (id.size() < 2 || id[0] != 'n') return -1;
  return std::stoi(id.substr(1));
}

int64_t SimCluster::latency() {
  // Uniform on [0, 2×mean], like Maelstrom's uniform distribution, so that arrival order
  // varies and reordering is exercised.
  if (constant_latency_) return latency_ms_;
  return latency_ms_ == 0 ? 0 : rng_.range(0, 2 * latency_ms_);
}

int64_t SimCluster::request(int i, const std::string& body_json) {
  client_requests_++;
  std::string body = body_json;
  // Give each request a fresh msg_id so replies can be matched.
  SQ_ASSERT(body.back() == '}');
  body.pop_back();
  int64_t msg_id = client_msg_id_++;
  body += ",\"msg_id\":" + std::to_string(msg_id) + "}";
  nodes_[static_cast<size_t>(i)]->receive_line(envelope("c1", id(i), body), now_ms_);
  flush(i);
  return msg_id;
}

void SimCluster::partition(const std::set<int>& side_a) {
  cut_.clear();
  for (int a = 0; a < size(); ++a) {
    for (int b = 0; b < size(); ++b) {
      if ((side_a.count(a) > 0) != (side_a.count(b) > 0)) cut_.insert({a, b});
    }
  }
}

void SimCluster::flush(int i) {
  node::Node& n = *nodes_[static_cast<size_t>(i)];
  for (node::Outgoing& o : n.outbox()) {
    if (o.dest[0] == 'c') {
      replies_.push_back(ClientReply{i, now_ms_, std::move(o.body)});
      continue;
    }
    server_messages_++;
    int j = index_of(o.dest);
    if (j >= 0 && cut_.count({i, j}) > 0) continue;  // dropped by the partition
    events_.push(Event{now_ms_ + latency(), seq_++, o.dest, envelope(id(i), o.dest, o.body)});
  }
  n.outbox().clear();
  n.take_logs();
}

void SimCluster::deliver(const Event& e) {
  if (services::is_service_name(e.dest)) {
    auto msg = proto::parse_message(e.line);
    SQ_ASSERT(msg.ok());
    std::unique_ptr<services::Service>& service = services_[e.dest];
    if (service == nullptr) service = services::make_service(e.dest, seed_);
    std::string src(msg->src());
    std::string reply = service->handle(src, msg->body(), now_ms_);
    server_messages_++;
    events_.push(Event{now_ms_ + latency(), seq_++, src, envelope(e.dest, src, reply)});
    return;
  }
  int j = index_of(e.dest);
  SQ_ASSERT_MSG(j >= 0 && j < size(), e.dest);
  nodes_[static_cast<size_t>(j)]->receive_line(e.line, now_ms_);
  flush(j);
}

void SimCluster::run_until(int64_t t_ms) {
  for (;;) {
    int64_t next = t_ms + 1;
    int which = -1;  // -1: event; else node tick
    if (!events_.empty()) next = events_.top().time_ms;
    for (int i = 0; i < size(); ++i) {
      std::optional<int64_t> d = nodes_[static_cast<size_t>(i)]->next_deadline_ms();
      if (d && *d < next) {
        next = *d;
        which = i;
      }
    }
    if (next > t_ms) break;
    now_ms_ = std::max(now_ms_, next);
    if (which >= 0) {
      nodes_[static_cast<size_t>(which)]->tick(now_ms_);
      flush(which);
    } else {
      Event e = events_.top();
      events_.pop();
      deliver(e);
    }
  }
  now_ms_ = std::max(now_ms_, t_ms);
}

}  // namespace squall::gossip::testing
