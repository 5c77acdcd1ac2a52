#include "msim/sim_router.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <variant>

#include "core/assert.h"
#include "net/envelope.h"
#include "proto/error_code.h"
#include "services/service.h"

namespace squall::msim {
namespace {

constexpr size_t kMaxExamples = 10;

// Mirrors the stdio driver's exit status for its crash-after fault.
constexpr int kCrashExitStatus = 86;

}  // namespace

SimRouter::SimRouter(SimRouterOptions options, NodeFactory factory, SimRouterEvents& events, Trace& trace,
                     ExactRounds* rounds)
    : options_(std::move(options)),
      factory_(std::move(factory)),
      events_(events),
      trace_(trace),
      rounds_(rounds),
      rng_faults_(Rng(options_.seed).fork("msim-faults")) {
  net_ = std::make_unique<net::Network>(options_.net, Rng(options_.seed).fork("network"));
  for (const auto& name : options_.node_names) net_->add_endpoint(name, net::EndpointKind::kServer);
  for (const char* s : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"}) net_->add_endpoint(s, net::EndpointKind::kService);
  state_.resize(options_.node_names.size());
  // Each node's timers run at their own rate, drawn once from the seed.
  Rng skew = Rng(options_.seed).fork("msim-skew");
  for (auto& st : state_) {
    int64_t s = options_.faults.skew_ppm;
    st.skew_ppm = s > 0 ? skew.range(-s, s) : 0;
  }
}

SimRouter::~SimRouter() = default;

void SimRouter::make_app(int node) {
  NodeState& st = state_[static_cast<size_t>(node)];
  uint64_t seed = Rng(options_.seed).fork(fmt::format("node-{}-{}", node, st.incarnation)).next();
  st.app = factory_.make(node, seed);
  SQ_ASSERT(st.app != nullptr);
  st.served = 0;
  st.garbage_done = false;
  if (rounds_ != nullptr) {
    st.app->on_new_element([this](std::string_view json) {
      if (learning_node_ >= 0) rounds_->learned(learning_node_, json, learning_from_, current_ns_);
    });
  }
}

void SimRouter::start_nodes(int64_t now) {
  for (int i = 0; i < node_count(); ++i) {
    make_app(i);
    schedule(i);
  }
  (void)now;
}

std::vector<bool> SimRouter::nodes_alive() const {
  std::vector<bool> out;
  out.reserve(state_.size());
  for (const auto& st : state_) out.push_back(!st.crashed);
  return out;
}

// 128-bit intermediates: ns × ppm overflows 64 bits after about 2.5 hours of virtual time.
__extension__ typedef __int128 Wide;

int64_t SimRouter::local_ms(int node, int64_t now) const {
  const NodeState& st = state_[static_cast<size_t>(node)];
  Wide local_ns = static_cast<Wide>(now) * (kPpm + st.skew_ppm) / kPpm;
  return static_cast<int64_t>(local_ns / 1'000'000);
}

int64_t SimRouter::global_ns(int node, int64_t local_deadline_ms) const {
  const NodeState& st = state_[static_cast<size_t>(node)];
  Wide want = static_cast<Wide>(local_deadline_ms) * 1'000'000 * kPpm;
  Wide rate = kPpm + st.skew_ppm;
  auto g = static_cast<int64_t>((want + rate - 1) / rate);
  while (local_ms(node, g) < local_deadline_ms) ++g;  // rounding of the division
  return g;
}

void SimRouter::schedule(int node) {
  NodeState& st = state_[static_cast<size_t>(node)];
  int64_t t = INT64_MAX;
  if (st.app && !st.paused) {
    if (auto d = st.app->node().next_deadline_ms()) t = global_ns(node, *d);
  }
  if (t == st.scheduled_ns) return;
  st.scheduled_ns = t;
  ++st.generation;
  if (t != INT64_MAX) wakes_.push(Wake{t, node, st.generation});
}

int64_t SimRouter::next_event_ns() const {
  int64_t t = net_->next_deadline_ns();
  // Stale wake-ups only make the caller step early, which is harmless.
  if (!wakes_.empty()) t = std::min(t, wakes_.top().t_ns);
  return t;
}

void SimRouter::step(int64_t now) {
  current_ns_ = now;
  while (true) {
    net::Delivery d;
    if (net_->pop_due(now, &d)) {
      deliver(d, now);
      continue;
    }
    if (!wakes_.empty() && wakes_.top().t_ns <= now) {
      Wake w = wakes_.top();
      wakes_.pop();
      NodeState& st = state_[static_cast<size_t>(w.node)];
      if (w.generation != st.generation || !st.app || st.paused) continue;
      st.scheduled_ns = INT64_MAX;
      fire(w.node, now);
      continue;
    }
    return;
  }
}

void SimRouter::fire(int node, int64_t now) {
  ++timer_firings_;
  trace_.add(now, TraceKind::kTimer, node, -1, 0);
  learning_node_ = node;
  learning_from_ = -1;
  state_[static_cast<size_t>(node)].app->node().tick(local_ms(node, now));
  learning_node_ = -1;
  after_input(node, now);
}

void SimRouter::feed(int node, const net::Delivery& d, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  if (factory_.io.crash_after_messages >= 0 && st.served >= factory_.io.crash_after_messages) {
    crash(node, fmt::format("exit status {}", kCrashExitStatus), now);
    return;
  }
  ++st.served;
  ++delivered_;
  trace_.add(now, TraceKind::kRecv, d.src, d.dest, d.msg_id);
  learning_node_ = node;
  learning_from_ = net_->kind(d.src) == net::EndpointKind::kServer ? d.src : -1;
  st.app->node().receive_line(d.line, local_ms(node, now));
  learning_node_ = -1;
  after_input(node, now);
}

void SimRouter::after_input(int node, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  node::Node& n = st.app->node();
  // Routing may not re-enter this node (deliveries wait in the network), so the outbox
  // is stable while we read it.
  // Swapped with a scratch vector, so neither gives its capacity back per message.
  outbox_scratch_.swap(n.outbox());
  for (const auto& o : outbox_scratch_) route_from_node(node, o, now);
  outbox_scratch_.clear();
  (void)n.take_logs();
  if (factory_.io.garbage_line_once && !st.garbage_done && n.initialized()) {
    st.garbage_done = true;
    protocol_error(node, harness::ProtocolErrorKind::kNonJson, "not one JSON value",
                   "fault garbage-line: this line is not JSON");
  }
  schedule(node);
}

void SimRouter::route_from_node(int node, const node::Outgoing& out, int64_t now) {
  auto dest = net_->find(out.dest);
  if (!dest) {
    protocol_error(node, harness::ProtocolErrorKind::kUnknownDestination,
                   fmt::format("no node, service or client named \"{}\"", out.dest), out.body);
    return;
  }
  send(node, *dest, node_names()[static_cast<size_t>(node)], out.dest, out.body, now);
}

void SimRouter::send(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
                     int64_t now) {
  bool faulty = net_->kind(src) != net::EndpointKind::kClient && net_->kind(dest) != net::EndpointKind::kClient;
  int copies = 1;
  int64_t extra_ns = 0;
  if (faulty) {
    const FaultMix& f = options_.faults;
    if (f.loss_ppm && rng_faults_.chance(f.loss_ppm, kPpm)) {
      ++lost_;
      trace_.add(now, TraceKind::kDropLoss, src, dest, 0);
      return;
    }
    if (f.dup_ppm && rng_faults_.chance(f.dup_ppm, kPpm)) copies = 2;
    if (f.reorder_ppm && rng_faults_.chance(f.reorder_ppm, kPpm)) {
      extra_ns = rng_faults_.range(1, std::max<int64_t>(1, f.reorder_max_ms)) * 1'000'000;
      ++delayed_;
    }
  }
  for (int c = 0; c < copies; ++c) {
    int64_t id = next_net_id_++;
    std::string line = net::encode_envelope(id, src_name, dest_name, body);
    if (c > 0) {
      ++duplicated_;
      trace_.add(now, TraceKind::kDup, src, dest, id);
    }
    enqueue(src, dest, id, std::move(line), now + (c == 0 ? extra_ns : 0));
  }
}

void SimRouter::enqueue(int src, int dest, int64_t id, std::string line, int64_t at) {
  std::unique_ptr<const proto::Message> message;
  if (net_->kind(dest) != net::EndpointKind::kServer) {
    proto::EnvelopeResult parsed = proto::parse_envelope(line);
    if (const auto* e = std::get_if<proto::LineError>(&parsed)) {
      protocol_error(src, harness::ProtocolErrorKind::kNonJson, e->detail, line);
      return;
    }
    message = std::make_unique<const proto::Message>(std::move(std::get<proto::Message>(parsed)));
    if (net_->kind(dest) == net::EndpointKind::kClient && !message->in_reply_to()) {
      protocol_error(
          src, harness::ProtocolErrorKind::kReplyWithoutInReplyTo,
          fmt::format("a message to client {} must be a reply carrying an integer in_reply_to", net_->name(dest)),
          line);
      return;
    }
    if (net_->kind(dest) == net::EndpointKind::kService && message->type().empty()) {
      protocol_error(src, harness::ProtocolErrorKind::kBadBody, "the body has no string \"type\"", line);
      return;
    }
  }
  auto sent = net_->send(src, dest, id, std::move(line), at, std::move(message));
  if (sent == net::SendResult::kDropped) {
    trace_.add(at, TraceKind::kDropPartition, src, dest, id);
  } else if (sent == net::SendResult::kOverflow) {
    protocol_error(
        src, harness::ProtocolErrorKind::kNetworkFull,
        fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), net_->name(dest)), "");
  } else {
    trace_.add(at, TraceKind::kSend, src, dest, id);
  }
}

int SimRouter::add_client(const std::string& name) { return net_->add_endpoint(name, net::EndpointKind::kClient); }

void SimRouter::send_from_client(int client, int node, std::string_view body, int64_t now) {
  send(client, node, net_->name(client), node_names()[static_cast<size_t>(node)], body, now);
}

void SimRouter::deliver(net::Delivery& d, int64_t now) {
  switch (net_->kind(d.dest)) {
    case net::EndpointKind::kServer: {
      NodeState& st = state_[static_cast<size_t>(d.dest)];
      if (!st.app) {
        ++to_dead_nodes_;
        trace_.add(now, TraceKind::kDropDown, d.src, d.dest, d.msg_id);
        return;
      }
      if (st.paused) {
        trace_.add(now, TraceKind::kHeld, d.src, d.dest, d.msg_id);
        st.held.push_back(std::move(d));
        return;
      }
      feed(d.dest, d, now);
      return;
    }
    case net::EndpointKind::kService: deliver_to_service(d, now); return;
    case net::EndpointKind::kClient:
      trace_.add(now, TraceKind::kRecv, d.src, d.dest, d.msg_id);
      events_.on_client_message(d, now);
      return;
  }
}

void SimRouter::deliver_to_service(net::Delivery& d, int64_t now) {
  SQ_ASSERT(d.message != nullptr);
  trace_.add(now, TraceKind::kRecv, d.src, d.dest, d.msg_id);
  const proto::Message& m = *d.message;
  const std::string& svc_name = net_->name(d.dest);
  std::string src_name(m.src());
  auto back = net_->find(src_name);
  if (!back || net_->kind(*back) == net::EndpointKind::kService) {
    protocol_error(d.src, harness::ProtocolErrorKind::kUnknownDestination,
                   fmt::format("{} cannot answer src \"{}\": {}", svc_name, src_name,
                               back ? "a service" : "no such node or client"),
                   d.line);
    return;
  }
  auto it = services_.find(svc_name);
  if (it == services_.end()) {
    // Seeded exactly as squall test's router seeds it.
    auto svc = services::make_service(svc_name, Rng(options_.seed).fork(svc_name).next());
    SQ_ASSERT(svc != nullptr);
    it = services_.emplace(svc_name, std::move(svc)).first;
  }
  std::string reply = it->second->handle(src_name, m.body(), now / 1'000'000);
  send(d.dest, *back, svc_name, src_name, reply, now);
}

void SimRouter::protocol_error(int endpoint, harness::ProtocolErrorKind kind, const std::string& detail,
                               std::string_view line) {
  ++error_counts_[std::string(harness::protocol_error_name(kind))];
  if (error_examples_.size() < kMaxExamples) {
    harness::ProtocolError e;
    e.t_ns = current_ns_;
    e.node = endpoint >= 0 ? net_->name(endpoint) : "?";
    e.kind = kind;
    e.detail = detail;
    e.line = std::string(line.substr(0, 200));
    error_examples_.push_back(std::move(e));
  }
}

void SimRouter::crash(int node, std::string status, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  st.app.reset();
  st.crashed = true;
  st.held.clear();
  schedule(node);
  SimCrash c{now, node_names()[static_cast<size_t>(node)], std::move(status)};
  crashes_.push_back(c);
  events_.on_node_stopped(node, c);
}

void SimRouter::kill(int node, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  if (!st.app) return;
  st.app.reset();
  st.paused = false;
  st.held.clear();  // a killed process's pipe goes with it
  if (rounds_ != nullptr) rounds_->forget_node(node);
  schedule(node);
  (void)now;
}

void SimRouter::restart(int node, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  if (st.app || st.crashed) return;
  ++st.incarnation;
  make_app(node);
  schedule(node);
  (void)now;
}

void SimRouter::pause(int node, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  if (!st.app) return;
  st.paused = true;
  schedule(node);
  (void)now;
}

void SimRouter::resume(int node, int64_t now) {
  NodeState& st = state_[static_cast<size_t>(node)];
  if (!st.paused) return;
  st.paused = false;
  current_ns_ = now;
  // What queued up in the stopped process's pipe is read now, in arrival order.
  std::deque<net::Delivery> held;
  held.swap(st.held);
  for (auto& d : held) {
    if (!st.app) break;
    feed(node, d, now);
  }
  schedule(node);
}

}  // namespace squall::msim
