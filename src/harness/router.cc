#include "harness/router.h"

#include <fmt/format.h>

#include <signal.h>

#include <cstdio>
#include <variant>

#include "core/rng.h"
#include "harness/untrusted_text.h"
#include "net/envelope.h"
#include "proto/error_code.h"
#include "proto/json_util.h"

#ifdef SQUALL_HAVE_SERVICES
#include "services/service.h"
#endif

namespace squall::harness {
namespace {

constexpr uint64_t kTagStdout = 1, kTagStdin = 2, kTagStderr = 3;
uint64_t tag(uint64_t kind, int index) { return (kind << 32) | static_cast<uint32_t>(index); }
constexpr size_t kErrorExamples = 50;
constexpr size_t kErrorLogLines = 200;
constexpr size_t kErrorConsoleLines = 5;

std::string clip_line(std::string_view line) {
  constexpr size_t kMax = 300;
  if (line.size() <= kMax) return std::string(line);
  return std::string(line.substr(0, kMax)) + fmt::format("... ({} bytes)", line.size());
}

}  // namespace

Router::Router(RouterOptions options, Store& store, EventLoop& loop, const Clock& clock, RouterEvents& events)
    : options_(std::move(options)),
      store_(store),
      loop_(loop),
      clock_(clock),
      events_(events),
      message_labels_(options_.diagram_messages) {}

Result<std::unique_ptr<Router>> Router::create(RouterOptions options, Store& store, EventLoop& loop, const Clock& clock,
                                               RouterEvents& events) {
  auto router = std::unique_ptr<Router>(new Router(std::move(options), store, loop, clock, events));
  auto guard = DescendantGuard::create();
  if (!guard.ok()) return err(guard.error());
  router->guard_ = std::move(*guard);
  router->net_ = std::make_unique<net::Network>(router->options_.net, Rng(router->options_.seed).fork("network"));
  for (const std::string& name : router->options_.node_names)
    router->net_->add_endpoint(name, net::EndpointKind::kServer);
  for (const char* svc : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"})
    router->net_->add_endpoint(svc, net::EndpointKind::kService);
  size_t n = router->options_.node_names.size();
  router->node_alive_.assign(n, false);
  router->stdout_open_.assign(n, false);
  router->stdout_eof_ns_.assign(n, -1);
  router->down_.assign(n, false);
  router->paused_.assign(n, false);
  router->incarnation_.assign(n, 0);
  return router;
}

Router::~Router() {
  for (auto& p : procs_)
    if (p) p->kill_and_reap();
}

Status Router::start_nodes() {
  for (size_t i = 0; i < options_.node_names.size(); ++i) {
    if (auto s = spawn_node(i); !s.ok()) return s;
  }
  return {};
}

Status Router::spawn_node(size_t i) {
  NodeProcess::Options o;
  o.name = options_.node_names[i];
  o.bin = options_.bin;
  o.args = options_.args;
  // A restarted node's log goes on in a file of its own, so the first life's log stays.
  o.stderr_path = store_.node_log_path(incarnation_[i] == 0 ? o.name : fmt::format("{}.{}", o.name, incarnation_[i]));
  o.pipe_stderr = options_.log_stderr;
  o.env = {guard_->marker_env()};
  o.stdin_budget = &stdin_budget_;
  auto p = NodeProcess::spawn(o);
  if (!p.ok()) return err(p.error());
  if (procs_.size() <= i) procs_.resize(i + 1);
  procs_[i] = std::move(*p);
  NodeProcess& proc = *procs_[i];
  guard_->track(proc.pid());
  node_alive_[i] = true;
  stdout_open_[i] = true;
  int idx = static_cast<int>(i);
  if (auto s = loop_.add(proc.stdout_fd(), EPOLLIN, tag(kTagStdout, idx)); !s.ok()) return s;
  if (auto s = loop_.add(proc.stdin_fd(), 0, tag(kTagStdin, idx)); !s.ok()) return s;
  if (auto s = loop_.add(proc.stderr_fd(), EPOLLIN, tag(kTagStderr, idx)); !s.ok()) return s;
  return {};
}

void Router::kill_node(int node) {
  auto i = static_cast<size_t>(node);
  if (down_[i] || !node_alive_[i]) return;
  NodeProcess& p = *procs_[i];
  if (stdout_open_[i]) loop_.remove(p.stdout_fd());
  loop_.remove(p.stdin_fd());
  loop_.remove(p.stderr_fd());
  p.kill_and_reap();  // SIGKILL: no chance to flush or say goodbye
  guard_->forget(p.pid());
  p.close_log();
  down_[i] = true;
  paused_[i] = false;
  stdout_open_[i] = false;
}

Status Router::restart_node(int node) {
  auto i = static_cast<size_t>(node);
  if (!down_[i]) return {};
  ++incarnation_[i];
  down_[i] = false;
  return spawn_node(i);
}

void Router::pause_node(int node) {
  auto i = static_cast<size_t>(node);
  if (down_[i] || paused_[i] || !node_alive_[i]) return;
  ::kill(procs_[i]->pid(), SIGSTOP);
  paused_[i] = true;
}

void Router::resume_node(int node) {
  auto i = static_cast<size_t>(node);
  if (!paused_[i]) return;
  ::kill(procs_[i]->pid(), SIGCONT);
  paused_[i] = false;
}

void Router::stop_nodes() {
  for (size_t i = 0; i < procs_.size(); ++i)
    if (paused_[i]) resume_node(static_cast<int>(i));
  for (auto& p : procs_) {
    p->kill_and_reap();
    guard_->forget(p->pid());
  }
  // Orphans of the nodes were reparented to us; any still running outlived their node.
  leftovers_ = guard_->kill_all();
  for (const LeftoverProcess& l : leftovers_)
    events_.note(fmt::format("killed process {} left running by the nodes: {}", l.pid, l.command));
  // Their descendants may have held the stderr pipes open: only now is the rest readable.
  for (auto& p : procs_) p->close_log();
}

void Router::note_exited_nodes(int64_t end_ns) {
  for (size_t i = 0; i < procs_.size(); ++i) {
    if (down_[i]) continue;
    if (node_alive_[i] && stdout_open_[i] && procs_[i]->try_reap()) {
      stdout_open_[i] = false;
      stdout_eof_ns_[i] = end_ns;
    }
  }
}

void Router::tidy() { guard_->reap_exited_orphans(); }

void Router::log_net(bool enabled, const char* what, int src, int dest, std::string_view line) {
  if (!enabled) return;
  store_.log(fmt::format("net {} {} -> {}: {}", what, net_->name(src), net_->name(dest), line));
}

void Router::deliver_due(int64_t now, size_t* budget) {
  net::Delivery d;
  while (*budget > 0 && net_->pop_due(now, &d)) {
    log_net(options_.log_net_recv, "recv", d.src, d.dest, d.line);
    deliver(d, now);
    --*budget;
  }
}

bool Router::on_io(const epoll_event& ev) {
  uint64_t kind = ev.data.u64 >> 32;
  if (kind != kTagStdout && kind != kTagStdin && kind != kTagStderr) return false;
  int idx = static_cast<int>(ev.data.u64 & 0xffffffffu);
  NodeProcess& p = *procs_[static_cast<size_t>(idx)];
  if (kind == kTagStdout) {
    bool open = p.read_stdout(
        [&](std::string_view line) { on_node_line(idx, line); },
        [&](size_t bytes) {
          protocol_error(idx, ProtocolErrorKind::kLineTooLong,
                         fmt::format("a stdout line exceeded {} bytes ({} so far); discarded", kMaxLineBytes, bytes),
                         "");
        });
    if (!open) on_node_eof(idx);
  } else if (kind == kTagStdin) {
    if (ev.events & (EPOLLERR | EPOLLHUP)) {
      loop_.remove(p.stdin_fd());
      return true;
    }
    if (auto s = p.flush(); !s.ok() || !p.has_queued_input()) (void)loop_.modify(p.stdin_fd(), 0, tag(kTagStdin, idx));
  } else {
    bool open = p.read_stderr([&](std::string_view line) {
      if (options_.status_line) std::fprintf(stderr, "\r\033[K");
      std::fprintf(stderr, "[%s] %s\n", p.name().c_str(), printable(line).c_str());
    });
    if (!open) loop_.remove(p.stderr_fd());
  }
  return true;
}

void Router::protocol_error(int node, ProtocolErrorKind kind, const std::string& detail, std::string_view line) {
  std::string_view kind_name = protocol_error_name(kind);
  ++error_counts_[std::string(kind_name)];
  int64_t total = 0;
  for (const auto& [k, v] : error_counts_) total += v;
  const std::string& name = net_->name(node);
  // Kept as valid UTF-8 for results.json; shown through printable() below.
  std::string clipped = valid_utf8(clip_line(line));
  if (error_examples_.size() < kErrorExamples) {
    error_examples_.push_back(ProtocolError{clock_.now_ns(), name, kind, valid_utf8(detail), clipped});
  }
  std::string msg = printable(fmt::format("{} broke the protocol ({}): {}{}", name, kind_name, detail,
                                          line.empty() ? "" : "; line: " + clipped));
  if (static_cast<size_t>(total) <= kErrorLogLines) store_.log(msg);
  if (static_cast<size_t>(total) <= kErrorConsoleLines) {
    if (options_.status_line) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "squall: %s\n", msg.c_str());
  }
}

void Router::reply_failed(std::string_view dest, std::optional<int64_t> in_reply_to, ProtocolErrorKind kind,
                          const std::string& detail, int64_t now) {
  auto ep = net_->find(dest);
  if (!ep || !in_reply_to || net_->kind(*ep) != net::EndpointKind::kClient) return;
  events_.on_broken_reply(*ep, *in_reply_to, kind, valid_utf8(detail), now);
}

int Router::add_client(const std::string& name) { return net_->add_endpoint(name, net::EndpointKind::kClient); }

void Router::send_from_client(int client, int node, std::string_view body, int64_t now) {
  int64_t id = next_net_id_++;
  message_labels_.note(id, body);
  std::string line = net::encode_envelope(id, net_->name(client), options_.node_names[static_cast<size_t>(node)], body);
  log_net(options_.log_net_send, "send", client, node, line);
  net_->send(client, node, id, std::move(line), now);
}

void Router::route(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
                   int64_t now) {
  int64_t id = next_net_id_++;
  message_labels_.note(id, body);
  std::string line = net::encode_envelope(id, src_name, dest_name, body);
  log_net(options_.log_net_send, "send", src, dest, line);
  std::unique_ptr<const proto::Message> message;
  if (net_->kind(dest) != net::EndpointKind::kServer) {
    // A service's reply to a client: the client reads it parsed, like any other reply.
    proto::EnvelopeResult parsed = proto::parse_envelope(line);
    SQ_ASSERT_MSG(std::holds_alternative<proto::Message>(parsed), "the harness wrote a bad line: " << line);
    message = std::make_unique<const proto::Message>(std::move(std::get<proto::Message>(parsed)));
  }
  auto sent = net_->send(src, dest, id, std::move(line), now, std::move(message));
  if (sent == net::SendResult::kOverflow) {
    protocol_error(src, ProtocolErrorKind::kNetworkFull,
                   fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), dest_name),
                   "");
  }
}

void Router::route_node_message(int node, int dest, std::unique_ptr<const proto::Message> message,
                                std::string_view line, int64_t now) {
  int64_t id = next_net_id_++;
  if (id <= message_labels_.limit()) message_labels_.note(id, proto::to_json(message->body()));
  std::string stamped = net::stamp_envelope(id, *message, line);
  log_net(options_.log_net_send, "send", node, dest, stamped);
  // Nodes read bytes; clients and services read the message parsed once, here.
  if (net_->kind(dest) == net::EndpointKind::kServer) message.reset();
  auto sent = net_->send(node, dest, id, std::move(stamped), now, std::move(message));
  if (sent == net::SendResult::kOverflow) {
    protocol_error(
        node, ProtocolErrorKind::kNetworkFull,
        fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), net_->name(dest)), "");
  }
}

void Router::on_bad_line(int node, const proto::LineError& e, std::string_view line) {
  ProtocolErrorKind kind = ProtocolErrorKind::kNonJson;
  switch (e.fault) {
    case proto::LineFault::kTooLong: kind = ProtocolErrorKind::kLineTooLong; break;
    case proto::LineFault::kTooDeep:
    case proto::LineFault::kNotJson: kind = ProtocolErrorKind::kNonJson; break;
    case proto::LineFault::kBadEnvelope: kind = ProtocolErrorKind::kBadEnvelope; break;
  }
  protocol_error(node, kind, e.detail, line);
  if (e.dest) reply_failed(*e.dest, e.in_reply_to, kind, e.detail, clock_.now_ns());
}

void Router::on_node_line(int node, std::string_view raw) {
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
  int64_t now = clock_.now_ns();
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
                   fmt::format("a message to client {} must be a reply carrying an integer in_reply_to", msg->dest()),
                   line);
    return;
  }
  route_node_message(node, *dest, std::move(msg), line, now);
}

void Router::on_node_eof(int node) {
  auto i = static_cast<size_t>(node);
  if (!stdout_open_[i]) return;
  stdout_open_[i] = false;
  stdout_eof_ns_[i] = clock_.now_ns();
  loop_.remove(procs_[i]->stdout_fd());
  // epoll reports errors even for an empty interest set; a dead node's stdin would spin.
  loop_.remove(procs_[i]->stdin_fd());
  check_exits(false);
}

void Router::check_exits(bool final) {
  // A node that closed stdout but keeps running gets this long to exit before it is
  // reported (as of the time its stdout closed) as having closed its stdout.
  constexpr int64_t kExitGraceNs = 500'000'000;
  for (size_t i = 0; i < procs_.size(); ++i) {
    if (!node_alive_[i] || down_[i]) continue;  // a node the nemesis killed is no crash
    // A node is checked once its stdout closed; a node that closes stdout but keeps
    // running is treated like a crash too (nothing it does can reach anyone).
    if (stdout_open_[i]) continue;
    auto st = procs_[i]->try_reap();
    if (!st && !final && clock_.now_ns() - stdout_eof_ns_[i] < kExitGraceNs) continue;
    if (st) guard_->forget(procs_[i]->pid());
    node_alive_[i] = false;
    NodeCrash crash;
    crash.t_ns = stdout_eof_ns_[i];
    crash.node = options_.node_names[i];
    double at_s = static_cast<double>(crash.t_ns) / 1e9;
    crash.status =
        st ? NodeProcess::describe_status(*st) : fmt::format("closed its stdout at {:.1f} s and kept running", at_s);
    for (const auto& l : procs_[i]->last_stderr_lines(5)) crash.stderr_tail.push_back(valid_utf8(l));
    crashes_.push_back(std::move(crash));
    events_.on_node_stopped(static_cast<int>(i), crashes_.back());
  }
}

void Router::deliver(net::Delivery& d, int64_t now) {
  switch (net_->kind(d.dest)) {
    case net::EndpointKind::kServer: {
      auto i = static_cast<size_t>(d.dest);
      if (down_[i]) {
        ++to_down_nodes_;  // as in Maelstrom: a killed node's messages are dropped
        return;
      }
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
    case net::EndpointKind::kService: deliver_to_service(d, now); return;
    case net::EndpointKind::kClient: {
      events_.on_client_message(d, now);
      return;
    }
  }
}

void Router::flush_nodes() {
  for (int node : dirty_nodes_) {
    auto i = static_cast<size_t>(node);
    NodeProcess& p = *procs_[i];
    if (!node_alive_[i] || !stdout_open_[i]) continue;
    if (auto s = p.flush(); !s.ok()) {
      protocol_error(node, ProtocolErrorKind::kStdinClosed, s.error(), "");
      continue;
    }
    if (p.has_queued_input()) (void)loop_.modify(p.stdin_fd(), EPOLLOUT, tag(kTagStdin, node));
  }
  dirty_nodes_.clear();
}

void Router::deliver_to_service(net::Delivery& d, int64_t now) {
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
    auto svc = services::make_service(svc_name, Rng(options_.seed).fork(svc_name).next());
    SQ_ASSERT(svc != nullptr);
    it = services_.emplace(svc_name, std::move(svc)).first;
  }
  std::string reply = it->second->handle(src_name, m.body(), now / 1'000'000);
#else
  std::string reply = fmt::format(
      "{{\"type\":\"error\",\"in_reply_to\":{},\"code\":{},\"text\":\"service {} is not available in this build\"}}",
      m.msg_id().value_or(0), proto::code_of(proto::ErrorCode::kNotSupported), svc_name);
#endif
  route(d.dest, *back, svc_name, src_name, reply, now);
}

}  // namespace squall::harness
