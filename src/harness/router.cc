// Routing: node output in, deliveries out (part of Runner, see runner.h).
#include <rapidjson/document.h>

#include <fmt/format.h>

#include "harness/runner.h"
#include "net/envelope.h"

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

void Runner::protocol_error(int node, const std::string& kind, const std::string& detail, std::string_view line) {
  int64_t count = ++error_counts_[kind];
  int64_t total = 0;
  for (const auto& [k, v] : error_counts_) total += v;
  (void)count;
  const std::string& name = net_->name(node);
  std::string clipped = clip_line(line);
  if (error_examples_.size() < kErrorExamples) {
    error_examples_.push_back(ProtocolError{now_ns(), name, kind, detail, clipped});
  }
  std::string msg = fmt::format("{} broke the protocol ({}): {}{}", name, kind, detail,
                                line.empty() ? "" : "; line: " + clipped);
  if (static_cast<size_t>(total) <= kErrorLogLines) store_->log(msg);
  if (static_cast<size_t>(total) <= kErrorConsoleLines) {
    if (config_.status_line) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "squall: %s\n", msg.c_str());
  }
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
  net_->send(c.endpoint, dest, id, net::encode_envelope(id, src, node_names_[static_cast<size_t>(dest)], with_id), now);
  return c.msg_id;
}

void Runner::route(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body,
                   int64_t now) {
  int64_t id = next_net_id_++;
  message_labels_.note(id, body);
  auto outcome = net_->send(src, dest, id, net::encode_envelope(id, src_name, dest_name, body), now);
  if (outcome == net::SendOutcome::kOverflow) {
    protocol_error(src, "network-full",
                   fmt::format("{} messages already in flight; message to {} refused", net_->in_flight(), dest_name), "");
  }
}

void Runner::on_node_line(int node, std::string_view line) {
  ++lines_from_nodes_;
  const std::string& name = node_names_[static_cast<size_t>(node)];
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
    protocol_error(node, "empty-line", "an empty line on stdout", line);
    return;
  }
  auto env = net::parse_envelope(line);
  if (!env.ok()) {
    bool not_json = env.error().rfind("not JSON", 0) == 0;
    protocol_error(node, not_json ? "non-json" : "bad-envelope", env.error(), line);
    return;
  }
  if (env->src != name) {
    protocol_error(node, "bad-envelope", fmt::format("src is \"{}\" but the line came from {}", env->src, name), line);
    return;
  }
  auto dest = net_->find(env->dest);
  if (!dest) {
    protocol_error(node, "unknown-destination", fmt::format("no node, service or client named \"{}\"", env->dest), line);
    return;
  }
  net::EndpointKind kind = net_->kind(*dest);
  if (kind != net::EndpointKind::kServer) {
    auto head = net::parse_body_head(env->body);
    if (!head.ok() || !head->has_type) {
      protocol_error(node, "bad-body", "the body has no string \"type\"", line);
      return;
    }
    if (kind == net::EndpointKind::kClient && !head->has_in_reply_to) {
      protocol_error(node, "reply-without-in_reply_to",
                     fmt::format("a message to client {} must be a reply carrying in_reply_to", env->dest), line);
      return;
    }
  }
  route(node, *dest, name, env->dest, env->body, now_ns());
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
    crash.stderr_tail = procs_[i]->last_stderr_lines(5);
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
        protocol_error(d.dest, "stdin-closed", s.error(), "");
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
      protocol_error(node, "stdin-closed", s.error(), "");
      continue;
    }
    if (p.has_queued_input()) (void)loop_->modify(p.stdin_fd(), EPOLLOUT, (uint64_t{2} << 32) | static_cast<uint32_t>(node));
  }
  dirty_nodes_.clear();
}

void Runner::deliver_to_service(net::Delivery& d, int64_t now) {
  const std::string& svc_name = net_->name(d.dest);
  const std::string& src_name = net_->name(d.src);
  auto env = net::parse_envelope(d.line);
  SQ_ASSERT(env.ok());
#ifdef SQUALL_HAVE_SERVICES
  auto it = services_.find(svc_name);
  if (it == services_.end()) {
    auto svc = services::make_service(svc_name, Rng(config_.seed).fork(svc_name).next());
    SQ_ASSERT(svc != nullptr);
    it = services_.emplace(svc_name, std::move(svc)).first;
  }
  rapidjson::Document body;
  body.Parse(env->body.data(), env->body.size());
  SQ_ASSERT(!body.HasParseError());
  std::string reply = it->second->handle(src_name, body, now / 1'000'000);
  route(d.dest, d.src, svc_name, src_name, reply, now);
#else
  auto head = net::parse_body_head(env->body);
  std::string reply = fmt::format(
      "{{\"type\":\"error\",\"in_reply_to\":{},\"code\":10,\"text\":\"service {} is not available in this build\"}}",
      head.ok() && head->has_msg_id ? head->msg_id : 0, svc_name);
  route(d.dest, d.src, svc_name, src_name, reply, now);
#endif
}

}  // namespace squall::harness
