#include "harness/client_pool.h"

#include <rapidjson/document.h>

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "core/assert.h"
#include "history/edn.h"
#include "proto/error_code.h"

namespace squall::harness {
namespace {

using history::OpType;
using workload::Op;

// The protocol's name for an error code; codes outside Maelstrom's table keep their
// number so the history still says which one the node used.
std::string error_name(int64_t code) {
  std::string_view name = proto::error_name(static_cast<int>(code));
  if (name == "unknown" || name == "user-defined") return "error-" + std::to_string(code);
  return std::string(name);
}

std::string edn_quoted(std::string_view s) {
  std::string out;
  history::append_quoted(&out, s);
  return out;
}

}  // namespace

ClientPool::ClientPool(ClientNetwork& router, const workload::Workload& workload, ClientPoolEvents& events,
                       int concurrency, int64_t rpc_timeout_ns)
    : router_(router),
      workload_(workload),
      events_(events),
      concurrency_(concurrency),
      rpc_timeout_ns_(rpc_timeout_ns) {
  SQ_ASSERT_GE(concurrency, 1);
}

int ClientPool::add(ClientRole role, int node, int thread, int64_t process) {
  int ep = router_.add_client("c" + std::to_string(next_client_name_++));
  if (endpoint_client_.size() <= static_cast<size_t>(ep)) endpoint_client_.resize(static_cast<size_t>(ep) + 1, -1);
  Client c;
  c.role = role;
  c.thread = thread;
  c.node = node;
  c.endpoint = ep;
  c.process = process;
  clients_.push_back(std::move(c));
  int idx = static_cast<int>(clients_.size()) - 1;
  endpoint_client_[static_cast<size_t>(ep)] = idx;
  return idx;
}

void ClientPool::request(int idx, std::string_view body, int64_t now) {
  // Insert the client's msg_id as the body's first key; the rest is copied as is.
  SQ_ASSERT(body.size() >= 2 && body.front() == '{');
  Client& c = clients_[static_cast<size_t>(idx)];
  c.msg_id = c.next_msg_id++;
  std::string with_id = fmt::format("{{\"msg_id\":{}{}{}", c.msg_id, body.size() > 2 ? "," : "", body.substr(1));
  router_.send_from_client(c.endpoint, c.node, with_id, now);
}

void ClientPool::send(int idx, std::string_view body, int64_t timeout_ns, int64_t now) {
  Client& c = clients_[static_cast<size_t>(idx)];
  SQ_ASSERT(c.role == ClientRole::kControl);
  c.busy = true;
  c.deadline_ns = now + timeout_ns;
  request(idx, body, now);
}

void ClientPool::cancel(int idx) { clients_[static_cast<size_t>(idx)].busy = false; }

void ClientPool::add_workers() {
  for (int t = 0; t < concurrency_; ++t)
    worker_of_thread_.push_back(add(ClientRole::kWorker, t % router_.node_count(), t, t));
}

std::vector<int> ClientPool::free_threads() const {
  std::vector<int> free;
  for (int t = 0; t < static_cast<int>(worker_of_thread_.size()); ++t)
    if (!worker(t).busy) free.push_back(t);
  return free;
}

bool ClientPool::workers_idle() const {
  for (int idx : worker_of_thread_)
    if (clients_[static_cast<size_t>(idx)].busy) return false;
  return true;
}

bool ClientPool::finals_idle() const {
  for (const Client& c : clients_)
    if (c.role == ClientRole::kFinal && c.busy) return false;
  return true;
}

void ClientPool::invoke_on_thread(int thread, const workload::Invocation& inv, int64_t now) {
  invoke(worker_of_thread_[static_cast<size_t>(thread)], inv, false, now);
}

void ClientPool::invoke_final(int node, const workload::Invocation& inv, int64_t now) {
  int64_t process = 0;
  for (const Client& c : clients_) process = std::max(process, c.process + 1);
  invoke(add(ClientRole::kFinal, node, -1, process), inv, true, now);
}

void ClientPool::invoke(int idx, const workload::Invocation& inv, bool final, int64_t now) {
  Client& c = clients_[static_cast<size_t>(idx)];
  Op op;
  op.type = OpType::kInvoke;
  op.f = inv.f;
  op.value = inv.value;
  op.process = c.process;
  op.time_ns = now;
  op.node = router_.node_names()[static_cast<size_t>(c.node)];
  op.final = final;
  events_.record(std::move(op));
  ++invoke_count_;
  c.busy = true;
  c.inv = inv;
  c.deadline_ns = now + rpc_timeout_ns_;
  request(idx, workload_.request_body(inv), now);
}

void ClientPool::complete(int idx, OpType type, std::string value, std::string error, int64_t now,
                          std::optional<int64_t> error_code) {
  Client& c = clients_[static_cast<size_t>(idx)];
  Op op;
  op.type = type;
  op.f = c.inv.f;
  op.value = std::move(value);
  op.process = c.process;
  op.time_ns = now;
  op.node = router_.node_names()[static_cast<size_t>(c.node)];
  op.error = std::move(error);
  op.error_code = error_code;
  op.final = c.role == ClientRole::kFinal;
  events_.record(std::move(op));
  c.busy = false;
  if (type == OpType::kOk) ++ok_count_;
  if (type == OpType::kFail) ++fail_count_;
  if (type == OpType::kInfo) ++info_count_;
  if (type == OpType::kInfo && c.role == ClientRole::kWorker) {
    // The process is indeterminate now: its thread carries on as a fresh process and
    // a fresh client, and late replies to the old one are ignored.
    c.retired = true;
    int thread = c.thread;
    int64_t process = c.process + concurrency_;
    int fresh = add(ClientRole::kWorker, c.node, thread, process);  // may reallocate clients_
    worker_of_thread_[static_cast<size_t>(thread)] = fresh;
  }
}

void ClientPool::on_message(const net::Delivery& d, int64_t now) {
  int idx = endpoint_client_[static_cast<size_t>(d.dest)];
  SQ_ASSERT_GE(idx, 0);
  on_reply(idx, d, now);
}

void ClientPool::on_reply(int idx, const net::Delivery& d, int64_t now) {
  SQ_ASSERT(d.message != nullptr);  // the router attaches the parsed line to everything bound for a client
  Client& c = clients_[static_cast<size_t>(idx)];
  const proto::Message& reply = *d.message;
  // Any node may answer: a leader answers requests its followers forwarded to it. The
  // client matches by in_reply_to alone.
  int64_t in_reply_to = reply.in_reply_to().value_or(0);
  if (!reply.in_reply_to() || !c.busy || c.retired || in_reply_to != c.msg_id) {
    if (in_reply_to <= 0 || in_reply_to >= c.next_msg_id) {
      router_.protocol_error(d.src, ProtocolErrorKind::kReplyToUnknownRequest,
                             fmt::format("in_reply_to {} matches no request client {} sent", in_reply_to,
                                         router_.endpoint_name(c.endpoint)),
                             d.line);
    } else {
      ++late_replies_;  // a reply to a request that already timed out
    }
    return;
  }
  if (c.role == ClientRole::kControl) {
    c.busy = false;
    events_.on_control_reply(idx, reply, d.line, now);
    return;
  }
  const rapidjson::Value& body = reply.body();
  if (reply.type().empty()) {
    std::string problem = "the reply's body has no string \"type\"";
    router_.protocol_error(d.src, ProtocolErrorKind::kMalformedReply, problem, d.line);
    complete(idx, OpType::kInfo, c.inv.value, "[:malformed-reply " + edn_quoted(problem) + "]", now);
    return;
  }
  if (reply.type() == "error") {
    auto code = body.FindMember("code");
    if (code == body.MemberEnd() || !code->value.IsInt64()) {
      router_.protocol_error(d.src, ProtocolErrorKind::kMalformedReply, "error reply without an integer \"code\"",
                             d.line);
      complete(idx, OpType::kInfo, c.inv.value, "[:malformed-reply]", now);
      return;
    }
    int64_t k = code->value.GetInt64();
    std::string text;
    auto t = body.FindMember("text");
    if (t != body.MemberEnd() && t->value.IsString()) text = t->value.GetString();
    bool sure = proto::is_definite(static_cast<int>(k)) || workload_.idempotent(c.inv.f);
    complete(idx, sure ? OpType::kFail : OpType::kInfo, c.inv.value,
             fmt::format("[:{} {}]", error_name(k), edn_quoted(text)), now, k);
    return;
  }
  workload::Completion done = workload_.complete(c.inv, body);
  if (done.malformed) {
    router_.protocol_error(d.src, ProtocolErrorKind::kMalformedReply, done.problem, d.line);
    complete(idx, OpType::kInfo, c.inv.value, "[:malformed-reply " + edn_quoted(done.problem) + "]", now);
    return;
  }
  complete(idx, done.type, std::move(done.value), "", now);
}

void ClientPool::on_broken_reply(int endpoint, int64_t in_reply_to, ProtocolErrorKind kind, const std::string& detail,
                                 int64_t now) {
  if (static_cast<size_t>(endpoint) >= endpoint_client_.size()) return;
  int idx = endpoint_client_[static_cast<size_t>(endpoint)];
  if (idx < 0) return;
  const Client& c = clients_[static_cast<size_t>(idx)];
  if (!c.busy || c.retired || c.role == ClientRole::kControl || in_reply_to != c.msg_id) return;
  complete(idx, OpType::kInfo, c.inv.value,
           fmt::format("[:{} {}]", protocol_error_name(kind), history::to_edn(history::Value::string(detail))), now);
}

void ClientPool::expire(int64_t now) {
  for (size_t i = 0; i < clients_.size(); ++i) {
    Client& c = clients_[i];
    if (!c.busy || c.retired || now < c.deadline_ns) continue;
    int idx = static_cast<int>(i);
    if (c.role == ClientRole::kControl) {
      c.busy = false;
      events_.on_control_timeout(idx, now);
      continue;
    }
    bool idempotent = workload_.idempotent(c.inv.f);
    complete(idx, idempotent ? OpType::kFail : OpType::kInfo, c.inv.value, "[:net-timeout]", now);
  }
}

int64_t ClientPool::next_deadline_ns() const {
  int64_t wake = INT64_MAX;
  for (const Client& c : clients_)
    if (c.busy && !c.retired) wake = std::min(wake, c.deadline_ns);
  return wake;
}

}  // namespace squall::harness
