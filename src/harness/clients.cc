// Clients, generator, nemesis and completions (part of Runner, see runner.h).
//
// Jepsen semantics: each client has one request in flight; an op that ends :info leaves
// its process indeterminate, so the thread continues as a new process (and a new client
// node id, as Maelstrom opens a new client); timeouts and error replies become :fail when
// the op surely did not happen (definite error codes, or idempotent reads) and :info
// otherwise.
#include <rapidjson/document.h>

#include <fmt/format.h>

#include "harness/runner.h"
#include "history/edn.h"
#include "proto/error_code.h"

namespace squall::harness {
namespace {

using workload::Op;
using history::OpType;

// The protocol's name for an error code; codes outside Maelstrom's table keep their
// number so the history still says which one the node used.
std::string error_name(int64_t code) {
  std::string_view name = proto::error_name(static_cast<int>(code));
  if (name == "unknown" || name == "user-defined") return "error-" + std::to_string(code);
  return std::string(name);
}

std::string quoted(std::string_view s) {
  std::string out;
  history::append_quoted(&out, s);
  return out;
}

// A nemesis op at `now`, recorded once as the fault starts (value nil) and again with
// what it did, as Jepsen logs nemesis actions.
Op nemesis_op(const char* f, int64_t now) {
  Op op;
  op.type = OpType::kInfo;
  op.f = f;
  op.process = workload::kNemesisProcess;
  op.time_ns = now;
  return op;
}

}  // namespace

int Runner::new_client(Purpose purpose, int node, int thread, int64_t process) {
  int ep = net_->add_endpoint("c" + std::to_string(next_client_name_++), net::EndpointKind::kClient);
  if (endpoint_client_.size() <= static_cast<size_t>(ep)) endpoint_client_.resize(static_cast<size_t>(ep) + 1, -1);
  Client c;
  c.purpose = purpose;
  c.thread = thread;
  c.node = node;
  c.endpoint = ep;
  c.process = process;
  clients_.push_back(std::move(c));
  int idx = static_cast<int>(clients_.size()) - 1;
  endpoint_client_[static_cast<size_t>(ep)] = idx;
  return idx;
}

void Runner::record(Op op) {
  op.index = static_cast<int64_t>(history_.size());
  store_->append_op(op);
  history_.push_back(std::move(op));
}

void Runner::invoke(Client& c, const workload::Invocation& inv, bool final, int64_t now) {
  Op op;
  op.type = OpType::kInvoke;
  op.f = inv.f;
  op.value = inv.value;
  op.process = c.process;
  op.time_ns = now;
  op.node = node_names_[static_cast<size_t>(c.node)];
  op.final = final;
  record(std::move(op));
  ++invoke_count_;
  c.busy = true;
  c.inv = inv;
  c.invoke_ns = now;
  c.deadline_ns = now + static_cast<int64_t>(config_.rpc_timeout_s * 1e9);
  send_from_client(c, workload_->request_body(inv), now);
}

void Runner::complete(Client& c, OpType type, std::string value, std::string error, int64_t now) {
  Op op;
  op.type = type;
  op.f = c.inv.f;
  op.value = std::move(value);
  op.process = c.process;
  op.time_ns = now;
  op.node = node_names_[static_cast<size_t>(c.node)];
  op.error = std::move(error);
  op.final = c.purpose == Purpose::kFinal;
  record(std::move(op));
  c.busy = false;
  if (type == OpType::kOk) ++ok_count_;
  if (type == OpType::kFail) ++fail_count_;
  if (type == OpType::kInfo) ++info_count_;
  if (type == OpType::kInfo && c.purpose == Purpose::kWorker) {
    // The process is indeterminate now: its thread carries on as a fresh process and
    // a fresh client, and late replies to the old one are ignored.
    c.retired = true;
    int thread = c.thread;
    int node = c.node;
    int64_t process = c.process + config_.concurrency;
    int idx = new_client(Purpose::kWorker, node, thread, process);  // may reallocate clients_
    worker_of_thread_[static_cast<size_t>(thread)] = idx;
  }
}

void Runner::on_client_reply(Client& c, const net::Delivery& d, int64_t now) {
  SQ_ASSERT(d.message != nullptr);  // the router attaches the parsed line to everything bound for a client
  const proto::Message& reply = *d.message;
  // Any node may answer: a leader answers requests its followers forwarded to it. The
  // client matches by in_reply_to alone.
  int64_t in_reply_to = reply.in_reply_to().value_or(0);
  if (!reply.in_reply_to() || !c.busy || c.retired || in_reply_to != c.msg_id) {
    if (in_reply_to <= 0 || in_reply_to >= c.next_msg_id) {
      protocol_error(d.src, ProtocolErrorKind::kReplyToUnknownRequest,
                     fmt::format("in_reply_to {} matches no request client {} sent", in_reply_to, net_->name(c.endpoint)),
                     d.line);
    } else {
      ++late_replies_;  // a reply to a request that already timed out
    }
    return;
  }
  if (c.purpose == Purpose::kInit) {
    on_init_reply(c, reply, d.line, now);
    return;
  }
  const rapidjson::Value& body = reply.body();
  if (reply.type().empty()) {
    std::string problem = "the reply's body has no string \"type\"";
    protocol_error(d.src, ProtocolErrorKind::kMalformedReply, problem, d.line);
    complete(c, OpType::kInfo, c.inv.value, "[:malformed-reply " + quoted(problem) + "]", now);
    return;
  }
  if (reply.type() == "error") {
    auto code = body.FindMember("code");
    if (code == body.MemberEnd() || !code->value.IsInt64()) {
      protocol_error(d.src, ProtocolErrorKind::kMalformedReply, "error reply without an integer \"code\"", d.line);
      complete(c, OpType::kInfo, c.inv.value, "[:malformed-reply]", now);
      return;
    }
    int64_t k = code->value.GetInt64();
    std::string text;
    auto t = body.FindMember("text");
    if (t != body.MemberEnd() && t->value.IsString()) text = t->value.GetString();
    bool sure = proto::is_definite(static_cast<int>(k)) || workload_->idempotent(c.inv.f);
    complete(c, sure ? OpType::kFail : OpType::kInfo, c.inv.value, fmt::format("[:{} {}]", error_name(k), quoted(text)), now);
    return;
  }
  workload::Completion done = workload_->complete(c.inv, body);
  if (done.malformed) {
    protocol_error(d.src, ProtocolErrorKind::kMalformedReply, done.problem, d.line);
    complete(c, OpType::kInfo, c.inv.value, "[:malformed-reply " + quoted(done.problem) + "]", now);
    return;
  }
  complete(c, done.type, std::move(done.value), "", now);
}

void Runner::on_init_reply(Client& c, const proto::Message& reply, std::string_view line, int64_t now) {
  (void)now;
  auto i = static_cast<size_t>(c.node);
  c.busy = false;
  std::string type(reply.type());
  if (c.setup) {
    c.setup = false;
    std::string want = workload_->setup_reply_type();
    if (type == want) {
      setup_ok_[i] = true;
    } else {
      setup_problems_.push_back(fmt::format("{} answered the workload setup with \"{}\" instead of {}", node_names_[i], type, want));
      protocol_error(c.node, ProtocolErrorKind::kMalformedReply, setup_problems_.back(), line);
    }
    return;
  }
  if (type == "init_ok") {
    init_state_[i] = InitState::kOk;
    for (const auto& m : reply.body().GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (k != "type" && k != "in_reply_to" && k != "msg_id") {
        protocol_error(c.node, ProtocolErrorKind::kMalformedReply, fmt::format("init_ok has unexpected key \"{}\"", k), line);
      }
    }
    return;
  }
  init_state_[i] = InitState::kFailed;
  setup_problems_.push_back(fmt::format("{} answered init with \"{}\" instead of init_ok", node_names_[i], type));
  note(setup_problems_.back());
}

void Runner::generate(int64_t now) {
  if (config_.rate <= 0) return;
  while (now >= next_op_ns_ && static_cast<int64_t>(history_.size()) < max_ops_) {
    std::vector<int> free;
    for (int t = 0; t < config_.concurrency; ++t) {
      const Client& c = clients_[static_cast<size_t>(worker_of_thread_[static_cast<size_t>(t)])];
      if (!c.busy) free.push_back(t);
    }
    if (free.empty()) return;  // the op waits for a client to come free
    int thread = free[rng_scheduler_.below(free.size())];
    Client& worker = clients_[static_cast<size_t>(worker_of_thread_[static_cast<size_t>(thread)])];
    workload::GenContext ctx{thread, config_.node_count, config_.concurrency, worker.process};
    workload::Invocation inv = workload_->next(ctx, rng_generator_);
    generated_.push_back(inv.f + " " + inv.value);
    invoke(worker, inv, false, now);
    // Jepsen's stagger: the next op comes a uniform [0, 2/rate] s after this one.
    next_op_ns_ = now + static_cast<int64_t>(rng_scheduler_.unit() * 2e9 / config_.rate);
  }
}

void Runner::apply_nemesis(int64_t now) {
  while (next_nemesis_ < schedule_.size() && main_start_ns_ + schedule_[next_nemesis_].at_ns <= now) {
    const NemesisEvent& e = schedule_[next_nemesis_++];
    if (!e.start) {
      heal(now);
      continue;
    }
    std::vector<std::pair<int, int>> blocked;
    for (size_t d = 0; d < e.grudge.size(); ++d)
      for (int s : e.grudge[d]) blocked.emplace_back(s, static_cast<int>(d));
    Op op = nemesis_op("start-partition", now);
    record(op);
    net_->set_partition(blocked);
    op.value = e.value_json(node_names_);
    record(op);
    partitioned_ = true;
    ++partitions_started_;
    partition_desc_ = e.shape;
    note("nemesis: " + e.describe(node_names_));
  }
}

void Runner::heal(int64_t now) {
  if (!partitioned_) return;
  Op op = nemesis_op("stop-partition", now);
  record(op);
  net_->heal();
  op.value = "\"network healed\"";
  record(op);
  partitioned_ = false;
  partition_desc_.clear();
  note("nemesis: network healed");
}

void Runner::check_timeouts(int64_t now) {
  for (size_t i = 0; i < clients_.size(); ++i) {
    Client& c = clients_[i];
    if (!c.busy || c.retired || now < c.deadline_ns) continue;
    if (c.purpose == Purpose::kInit) {
      c.busy = false;
      auto n = static_cast<size_t>(c.node);
      if (c.setup) {
        c.setup = false;
        setup_problems_.push_back(fmt::format("{} did not answer the workload setup within {} s", node_names_[n], config_.rpc_timeout_s));
        note(setup_problems_.back());
      }
      continue;  // init timeouts are reported by run_phases()
    }
    bool idempotent = workload_->idempotent(c.inv.f);
    complete(clients_[i], idempotent ? OpType::kFail : OpType::kInfo, clients_[i].inv.value, "[:net-timeout]", now);
  }
}

void Runner::issue_final_reads(int64_t now) {
  auto inv = workload_->final_op();
  if (!inv) {
    final_pending_.clear();
    return;
  }
  for (int node : final_pending_) {
    // Final reads get their own clients (processes numbered after every worker's).
    int64_t process = 0;
    for (const Client& c : clients_) process = std::max(process, c.process + 1);
    int idx = new_client(Purpose::kFinal, node, -1, process);
    invoke(clients_[static_cast<size_t>(idx)], *inv, true, now);
  }
  final_pending_.clear();
}

void Runner::status_line(int64_t now, bool final_line) {
  double elapsed = static_cast<double>(now) / 1e9;
  double main_elapsed = phase_ >= Phase::kMain ? static_cast<double>(std::min(now, main_end_ns_) - main_start_ns_) / 1e9 : 0;
  double rate = main_elapsed > 0.5 ? static_cast<double>(invoke_count_) / main_elapsed : 0;
  const char* phase = phase_ == Phase::kInit ? "init" : phase_ == Phase::kSetup ? "setup" : phase_ == Phase::kMain ? "main"
                      : phase_ == Phase::kRecovery ? "recovery" : phase_ == Phase::kFinal ? "final reads" : "done";
  std::string nemesis = partitioned_ ? "partitioned (" + partition_desc_ + ")" : "network whole";
  std::fprintf(stderr, "\r\033[K[%6.1f s / %.0f s] %s | ok %lld fail %lld info %lld | %.1f ops/s | %s%s", elapsed,
               config_.time_limit_s, phase, static_cast<long long>(ok_count_), static_cast<long long>(fail_count_),
               static_cast<long long>(info_count_), rate, nemesis.c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace squall::harness
