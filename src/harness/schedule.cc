// The generator, the nemesis, final reads, Maelstrom's init and setup replies, and what
// the run says on the console (part of Runner, see runner.h).
#include <fmt/format.h>

#include <cstdio>

#include "harness/runner.h"

namespace squall::harness {
namespace {

using history::OpType;
using workload::Op;

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

void Runner::record(Op op) {
  op.index = static_cast<int64_t>(history_.size());
  store_->append_op(op);
  history_.push_back(std::move(op));
}

void Runner::on_control_reply(int client, const proto::Message& reply, std::string_view line, int64_t now) {
  (void)now;
  int node = pool_->client(client).node;
  auto i = static_cast<size_t>(node);
  const std::string& name = router_->node_names()[i];
  std::string type(reply.type());
  if (setup_sent_[i]) {
    setup_sent_[i] = false;
    std::string want = workload_->setup_reply_type();
    if (type == want) {
      setup_ok_[i] = true;
    } else {
      setup_problems_.push_back(
          fmt::format("{} answered the workload setup with \"{}\" instead of {}", name, type, want));
      router_->protocol_error(node, ProtocolErrorKind::kMalformedReply, setup_problems_.back(), line);
    }
    return;
  }
  if (type == "init_ok") {
    init_state_[i] = InitState::kOk;
    for (const auto& m : reply.body().GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (k != "type" && k != "in_reply_to" && k != "msg_id") {
        router_->protocol_error(node, ProtocolErrorKind::kMalformedReply,
                                fmt::format("init_ok has unexpected key \"{}\"", k), line);
      }
    }
    return;
  }
  init_state_[i] = InitState::kFailed;
  setup_problems_.push_back(fmt::format("{} answered init with \"{}\" instead of init_ok", name, type));
  note(setup_problems_.back());
}

void Runner::on_control_timeout(int client, int64_t now) {
  (void)now;
  auto n = static_cast<size_t>(pool_->client(client).node);
  if (setup_sent_[n]) {
    setup_sent_[n] = false;
    setup_problems_.push_back(fmt::format("{} did not answer the workload setup within {} s", router_->node_names()[n],
                                          config_.rpc_timeout_s));
    note(setup_problems_.back());
  }
  // init timeouts are reported by run_phases()
}

void Runner::on_node_stopped(int node, const NodeCrash& crash) {
  auto i = static_cast<size_t>(node);
  std::string msg = fmt::format("{} exited during the run ({})", crash.node, crash.status);
  if (init_state_[i] == InitState::kWaiting) {
    // No point waiting out the init timeout for a node that is gone.
    init_state_[i] = InitState::kFailed;
    pool_->cancel(node);  // its init client
    setup_problems_.push_back(fmt::format("{} stopped at {:.1f} s before answering init ({})", crash.node,
                                          static_cast<double>(crash.t_ns) / 1e9, crash.status));
    msg = setup_problems_.back();
  }
  for (const auto& l : crash.stderr_tail) msg += "\n    stderr: " + l;
  note(msg);
}

void Runner::generate(int64_t now) {
  if (config_.rate <= 0) return;
  while (now >= next_op_ns_ && static_cast<int64_t>(history_.size()) < max_ops_) {
    std::vector<int> free = pool_->free_threads();
    if (free.empty()) return;  // the op waits for a client to come free
    int thread = free[rng_scheduler_.below(free.size())];
    workload::GenContext ctx{thread, config_.node_count, config_.concurrency, pool_->worker(thread).process};
    workload::Invocation inv = workload_->next(ctx, rng_generator_);
    generated_.push_back(inv.f + " " + inv.value);
    pool_->invoke_on_thread(thread, inv, now);
    // Jepsen's stagger: the next op comes a uniform [0, 2/rate] s after this one.
    next_op_ns_ = now + static_cast<int64_t>(rng_scheduler_.unit() * 2e9 / config_.rate);
  }
}

void Runner::apply_nemesis(int64_t now) {
  while (next_process_fault_ < process_faults_.size() &&
         main_start_ns_ + process_faults_[next_process_fault_].at_ns <= now) {
    apply_process_fault(process_faults_[next_process_fault_++], now);
  }
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
    router_->network().set_partition(blocked);
    op.value = e.value_json(router_->node_names());
    record(op);
    partitioned_ = true;
    ++partitions_started_;
    nemesis_events_.push_back(fmt::format("{:7.1f} s  partition {}", static_cast<double>(now) / 1e9, e.shape));
    partition_desc_ = e.shape;
    note("nemesis: " + e.describe(router_->node_names()));
  }
}

void Runner::heal(int64_t now) {
  if (!partitioned_) return;
  Op op = nemesis_op("stop-partition", now);
  record(op);
  router_->network().heal();
  op.value = "\"network healed\"";
  record(op);
  partitioned_ = false;
  partition_desc_.clear();
  nemesis_events_.push_back(fmt::format("{:7.1f} s  heal", static_cast<double>(now) / 1e9));
  note("nemesis: network healed");
}

void Runner::apply_process_fault(const ProcessFaultEvent& e, int64_t now) {
  const std::string& name = router_->node_names()[static_cast<size_t>(e.node)];
  switch (e.fault) {
    case ProcessFault::kKill:
      if (router_->down(e.node) || !router_->alive(e.node)) return;
      router_->kill_node(e.node);
      break;
    case ProcessFault::kRestart:
      if (!router_->down(e.node)) return;
      if (auto s = router_->restart_node(e.node); !s.ok()) {
        setup_problems_.push_back(fmt::format("{} could not be restarted: {}", name, s.error()));
        note(setup_problems_.back());
        return;
      }
      send_init(e.node, now);
      break;
    case ProcessFault::kPause:
      if (router_->down(e.node) || router_->paused(e.node) || !router_->alive(e.node)) return;
      router_->pause_node(e.node);
      break;
    case ProcessFault::kResume:
      if (!router_->paused(e.node)) return;
      router_->resume_node(e.node);
      break;
  }
  // Recorded as the partitions are: once as the fault starts, once with what it did.
  const char* what = process_fault_name(e.fault);
  Op op = nemesis_op(process_fault_op(e.fault), now);
  record(op);
  op.value = fmt::format("{{\"node\":\"{}\",\"{}\":true}}", name, what);
  record(op);
  ++nemesis_counts_[std::string(what) + "s"];
  nemesis_events_.push_back(fmt::format("{:7.1f} s  {} {}", static_cast<double>(now) / 1e9, what, name));
  note(fmt::format("nemesis: {} {}", what, name));
}

void Runner::end_process_faults(int64_t now) {
  // Every node is back for recovery and the final reads.
  for (int i = 0; i < router_->node_count(); ++i) {
    if (router_->paused(i)) apply_process_fault({0, ProcessFault::kResume, i}, now);
    if (router_->down(i)) apply_process_fault({0, ProcessFault::kRestart, i}, now);
  }
}

void Runner::issue_final_reads(int64_t now) {
  auto inv = workload_->final_op();
  if (!inv) {
    final_pending_.clear();
    return;
  }
  for (int node : final_pending_) pool_->invoke_final(node, *inv, now);
  final_pending_.clear();
}

void Runner::status_line(int64_t now, bool final_line) {
  core::ProgressState s;
  s.elapsed_s = static_cast<double>(now) / 1e9;
  s.limit_s = config_.time_limit_s;
  double main_elapsed =
      phase_ >= Phase::kMain ? static_cast<double>(std::min(now, main_end_ns_) - main_start_ns_) / 1e9 : 0;
  s.ops_per_s = main_elapsed > 0.5 ? static_cast<double>(pool_->invoke_count()) / main_elapsed : 0;
  s.phase = phase_ == Phase::kInit       ? "init"
            : phase_ == Phase::kSetup    ? "setup"
            : phase_ == Phase::kMain     ? "main"
            : phase_ == Phase::kRecovery ? "recovery"
            : phase_ == Phase::kFinal    ? "final reads"
                                         : "done";
  s.ok = pool_->ok_count();
  s.fail = pool_->fail_count();
  s.info = pool_->info_count();
  s.nemesis = partitioned_ ? "partitioned (" + partition_desc_ + ")" : "network whole";
  if (final_line) {
    progress_.finish(now, s);
  } else {
    progress_.update(now, s);
  }
}

}  // namespace squall::harness
