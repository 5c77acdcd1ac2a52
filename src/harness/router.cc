// Routing: node output in, deliveries out (part of Runner, see runner.h).
#include <fmt/format.h>

#include <variant>

#include "harness/runner.h"
#include "harness/untrusted_text.h"
#include "history/edn.h"
#include "net/envelope.h"
#include "proto/json_util.h"

#ifdef SQUALL_HAVE_SERVICES
#include "services/service.h"
#endif

namespace squall::harness {
namespace {

constexpr size_t kErrorExamples = 50;
constexpr size_t kErrorLogLines = 200;
constexpr size_t kErrorConsoleLines = 5;

std::string clip_line(std::string_view line) {
  constexpr size_t kMax = 300;
  if (line.size() <= kMax) return std::string(line);
  return std::string(line.substr(0, kMax)) + fmt::format("... ({} bytes)", line.size());
}

}  // namespace

void Runner::protocol_error(int node, ProtocolErrorKind kind, const std::string& detail, std::string_view line) {
  std::string_view kind_name = protocol_error_name(kind);
  ++error_counts_[std::string(kind_name)];
  int64_t total = 0;
  for (const auto& [k, v] : error_counts_) total += v;
  const std::string& name = net_->name(node);
  // Kept as valid UTF-8 for results.json; shown through printable() below.
  std::string clipped = valid_utf8(clip_line(line));
  if (error_examples_.size() < kErrorExamples) {
    error_examples_.push_back(ProtocolError{now_ns(), name, kind, valid_utf8(detail), clipped});
  }
  std::string msg = printable(fmt::format("{} broke the protocol ({}): {}{}", name, kind_name, detail,
                                          line.empty() ? "" : "; line: " + clipped));
  if (static_cast<size_t>(total) <= kErrorLogLines) store_->log(msg);
  if (static_cast<size_t>(total) <= kErrorConsoleLines) {
    if (config_.status_line) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "squall: %s\n", msg.c_str());
  }
}

void Runner::reply_failed(std::string_view dest, std::optional<int64_t> in_reply_to, ProtocolErrorKind kind,
                          const std::string& detail, int64_t now) {
  // Maelstrom's verdict semantics: a broken reply makes the one operation it answers
  // indeterminate, with the reason, and leaves the verdict to the checkers.
  auto ep = net_->find(dest);
  if (!ep || !in_reply_to || net_->kind(*ep) != net::EndpointKind::kClient) return;
  int idx = endpoint_client_[static_cast<size_t>(*ep)];
  if (idx < 0) return;
  Client& c = clients_[static_cast<size_t>(idx)];
  if (!c.busy || c.retired || c.purpose == Purpose::kInit || *in_reply_to != c.msg_id) return;
  complete(c, history::OpType::kInfo, c.inv.value,
           fmt::format("[:{} {}]", protocol_error_name(kind), history::to_edn(history::Value::string(valid_utf8(detail)))),
           now);
}

int64_t Runner::send_from_client(Client& c, std::string_view body, int64_t now) {
  // Insert the client's msg_id as the body's first key; the rest is copied as is.
  SQ_ASSERT(body.size() >= 2 && body.front() == '{');
  c.msg_id = c.next_msg_id++;
  std::string with_id = fmt::format("{{\"msg_id\":{}{}{}", c.msg_id, body.size() > 2 ? "," : "", body.substr(1));
  int64_t id = next_net_id_++;
  const std::string& src = net_->name(c.endpoint);
  int dest = c.node;  // servers occupy endpoints 0..n-1
  message_labels_.note(id, with_id);
  std::string line = net::encode_envelope(id, src, node_names_[static_cast<size_t>(dest)], with_id);
  log_net(config_.log_net_send, "send", c.endpoint, dest, line);
  net_->send(c.endpoint, dest, id, std::move(line), now);
  return c.msg_id;
}

void Runner::route(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
                   int64_t now) {
  int64_t id = next_net_id_++;
  message_labels_.note(id, body);
  std::string line = net::encode_envelope(id, src_name, dest_name, body);
  log_net(config_.log_net_send, "send", src, dest, line);
  std::unique_ptr<const proto::Message> message;
  if (net_->kind(dest) != net::EndpointKind::kServer) {
    // A service's reply to a client: the client reads it parsed, like any other reply.
    proto::EnvelopeResult parsed = proto::parse_envelope(line);
    SQ_ASSERT_MSG(std::holds_alternative<proto::Message>(parsed), "the harness wrote a bad line: " << line);
    message = std::make_unique<const proto::Message>(std::move(std::get<proto::Message>(parsed)));
  }
  auto outcome = net_->send(src, dest, id, std::move(line), now, std::move(message));
  if (outcome == net::SendOutcome::kOverflow) {
    protocol_error(src, ProtocolErrorKind::kNetworkFull,
                   fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), dest_name), "");
  }
}

void Runner::route_node_message(int node, int dest, std::unique_ptr<const proto::Message> message, std::string_view line,
                                int64_t now) {
  int64_t id = next_net_id_++;
  if (id <= message_labels_.limit()) message_labels_.note(id, proto::to_json(message->body()));
  std::string stamped = net::stamp_envelope(id, *message, line);
  log_net(config_.log_net_send, "send", node, dest, stamped);
  // Nodes read bytes; clients and services read the message parsed once, here.
  if (net_->kind(dest) == net::EndpointKind::kServer) message.reset();
  auto outcome = net_->send(node, dest, id, std::move(stamped), now, std::move(message));
  if (outcome == net::SendOutcome::kOverflow) {
    protocol_error(node, ProtocolErrorKind::kNetworkFull,
                   fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), net_->name(dest)),
                   "");
  }
}

void Runner::on_bad_line(int node, const proto::LineError& e, std::string_view line) {
  ProtocolErrorKind kind = ProtocolErrorKind::kNonJson;
  switch (e.fault) {
    case proto::LineFault::kTooLong: kind = ProtocolErrorKind::kLineTooLong; break;
    case proto::LineFault::kTooDeep:
    case proto::LineFault::kNotJson: kind = ProtocolErrorKind::kNonJson; break;
    case proto::LineFault::kBadEnvelope: kind = ProtocolErrorKind::kBadEnvelope; break;
  }
  protocol_error(node, kind, e.detail, line);
  if (e.dest) reply_failed(*e.dest, e.in_reply_to, kind, e.detail, now_ns());
}

void Runner::on_node_line(int node, std::string_view raw) {
  ++lines_from_nodes_;
  if (raw.find_first_not_of(" \t\r") == std::string_view::npos) {
    protocol_error(node, ProtocolErrorKind::kEmptyLine, "an empty line on stdout", raw);
    return;
  }
  // Malformed UTF-8 is repaired as a JVM reader repairs it, so that no peer, history or
  // results file downstream ever holds it.
  std::string repaired;
  std::string_view line = raw;
  if (!is_valid_utf8(raw)) {
    repaired = valid_utf8(raw);
    line = repaired;
    protocol_error(node, ProtocolErrorKind::kInvalidUtf8, "the line is not valid UTF-8; malformed bytes read as U+FFFD",
                   line);
  }
  proto::EnvelopeResult parsed = proto::parse_envelope(line);
  if (const auto* e = std::get_if<proto::LineError>(&parsed)) {
    on_bad_line(node, *e, line);
    return;
  }
  auto msg = std::make_unique<const proto::Message>(std::move(std::get<proto::Message>(parsed)));
  int64_t now = now_ns();
  if (std::string_view extra = msg->extra_key(); !extra.empty()) {
    std::string detail = fmt::format("unknown top-level key \"{}\" (only src, dest, body, id)", clip_line(extra));
    protocol_error(node, ProtocolErrorKind::kBadEnvelope, detail, line);
    reply_failed(msg->dest(), msg->in_reply_to(), ProtocolErrorKind::kBadEnvelope, detail, now);
    return;
  }
  // Routed by dest, src delivered as written: Maelstrom does not ask that src name the
  // sender, so a follower may hand a client's request to its leader keeping the client's
  // src, and the leader may answer the client directly.
  auto dest = net_->find(msg->dest());
  if (!dest) {
    protocol_error(node, ProtocolErrorKind::kUnknownDestination,
                   fmt::format("no node, service or client named \"{}\"", clip_line(msg->dest())), line);
    return;
  }
  net::EndpointKind kind = net_->kind(*dest);
  if (kind == net::EndpointKind::kService && msg->type().empty()) {
    protocol_error(node, ProtocolErrorKind::kBadBody, "the body has no string \"type\"", line);
    return;
  }
  if (kind == net::EndpointKind::kClient && !msg->in_reply_to()) {
    protocol_error(node, ProtocolErrorKind::kReplyWithoutInReplyTo,
                   fmt::format("a message to client {} must be a reply carrying an integer in_reply_to", msg->dest()), line);
    return;
  }
  route_node_message(node, *dest, std::move(msg), line, now);
}

void Runner::on_node_eof(int node) {
  auto i = static_cast<size_t>(node);
  if (!stdout_open_[i]) return;
  stdout_open_[i] = false;
  stdout_eof_ns_[i] = now_ns();
  loop_->remove(procs_[i]->stdout_fd());
  // epoll reports errors even for an empty interest set; a dead node's stdin would spin.
  loop_->remove(procs_[i]->stdin_fd());
  check_exits();
}

void Runner::check_exits() {
  // A node that closed stdout but keeps running gets this long to exit before it is
  // reported (as of the time its stdout closed) as having closed its stdout.
  constexpr int64_t kExitGraceNs = 500'000'000;
  for (size_t i = 0; i < procs_.size(); ++i) {
    if (!node_alive_[i]) continue;
    // A node is checked once its stdout closed; a node that closes stdout but keeps
    // running is treated like a crash too (nothing it does can reach anyone).
    if (stdout_open_[i]) continue;
    auto st = procs_[i]->try_reap();
    if (!st && phase_ != Phase::kDone && now_ns() - stdout_eof_ns_[i] < kExitGraceNs) continue;
    if (st) guard_->forget(procs_[i]->pid());
    node_alive_[i] = false;
    NodeCrash crash;
    crash.t_ns = stdout_eof_ns_[i];
    crash.node = node_names_[i];
    double at_s = static_cast<double>(crash.t_ns) / 1e9;
    crash.status = st ? NodeProcess::describe_status(*st) : fmt::format("closed its stdout at {:.1f} s and kept running", at_s);
    for (const auto& l : procs_[i]->last_stderr_lines(5)) crash.stderr_tail.push_back(valid_utf8(l));
    std::string msg = fmt::format("{} exited during the run ({})", crash.node, crash.status);
    if (init_state_[i] == InitState::kWaiting) {
      // No point waiting out the init timeout for a node that is gone.
      init_state_[i] = InitState::kFailed;
      clients_[i].busy = false;  // its init client
      setup_problems_.push_back(fmt::format("{} stopped at {:.1f} s before answering init ({})", crash.node, at_s, crash.status));
      msg = setup_problems_.back();
    }
    for (const auto& l : crash.stderr_tail) msg += "\n    stderr: " + l;
    note(msg);
    crashes_.push_back(std::move(crash));
  }
}

void Runner::deliver(net::Delivery& d, int64_t now) {
  switch (net_->kind(d.dest)) {
    case net::EndpointKind::kServer: {
      auto i = static_cast<size_t>(d.dest);
      if (!node_alive_[i] || !stdout_open_[i]) {
        ++to_dead_nodes_;
        return;
      }
      NodeProcess& p = *procs_[i];
      bool was_idle = !p.has_queued_input();
      if (auto s = p.queue_line(d.line); !s.ok()) {
        protocol_error(d.dest, ProtocolErrorKind::kStdinClosed, s.error(), "");
        ++to_dead_nodes_;
        return;
      }
      if (was_idle) dirty_nodes_.push_back(d.dest);  // flushed once at the end of the step
      return;
    }
    case net::EndpointKind::kService:
      deliver_to_service(d, now);
      return;
    case net::EndpointKind::kClient: {
      int c = endpoint_client_[static_cast<size_t>(d.dest)];
      SQ_ASSERT_GE(c, 0);
      on_client_reply(clients_[static_cast<size_t>(c)], d, now);
      return;
    }
  }
}

void Runner::flush_nodes() {
  for (int node : dirty_nodes_) {
    auto i = static_cast<size_t>(node);
    NodeProcess& p = *procs_[i];
    if (!node_alive_[i] || !stdout_open_[i]) continue;
    if (auto s = p.flush(); !s.ok()) {
      protocol_error(node, ProtocolErrorKind::kStdinClosed, s.error(), "");
      continue;
    }
    if (p.has_queued_input()) (void)loop_->modify(p.stdin_fd(), EPOLLOUT, (uint64_t{2} << 32) | static_cast<uint32_t>(node));
  }
  dirty_nodes_.clear();
}

void Runner::deliver_to_service(net::Delivery& d, int64_t now) {
  SQ_ASSERT(d.message != nullptr);  // the router attaches the parsed line to everything bound for a service
  const proto::Message& m = *d.message;
  const std::string& svc_name = net_->name(d.dest);
  // The service answers the src the message names, as Maelstrom's services do.
  std::string src_name(m.src());
  auto back = net_->find(src_name);
  if (!back || net_->kind(*back) == net::EndpointKind::kService) {
    // A src naming a service would set two services answering each other forever.
    protocol_error(d.src, ProtocolErrorKind::kUnknownDestination,
                   fmt::format("{} cannot answer src \"{}\": {}", svc_name, clip_line(src_name),
                               back ? "a service" : "no such node or client"),
                   d.line);
    return;
  }
#ifdef SQUALL_HAVE_SERVICES
  auto it = services_.find(svc_name);
  if (it == services_.end()) {
    auto svc = services::make_service(svc_name, Rng(config_.seed).fork(svc_name).next());
    SQ_ASSERT(svc != nullptr);
    it = services_.emplace(svc_name, std::move(svc)).first;
  }
  std::string reply = it->second->handle(src_name, m.body(), now / 1'000'000);
#else
  std::string reply = fmt::format(
      "{{\"type\":\"error\",\"in_reply_to\":{},\"code\":10,\"text\":\"service {} is not available in this build\"}}",
      m.msg_id().value_or(0), svc_name);
#endif
  route(d.dest, *back, svc_name, src_name, reply, now);
}

}  // namespace squall::harness
