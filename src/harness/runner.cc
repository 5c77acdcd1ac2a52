#include "harness/runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include <fmt/format.h>

#include "harness/topology.h"
#include "harness/untrusted_text.h"

namespace squall::harness {
namespace {

// The loop's tag for the signalfd; the Router's tags for node pipes are below 2^35.
constexpr uint64_t kTagSignal = uint64_t{4} << 32;
constexpr int64_t kStatusPeriodNs = 250'000'000;
constexpr int64_t kFlushPeriodNs = 200'000'000;
constexpr size_t kMaxDeliveriesPerStep = 20000;

}  // namespace

Runner::Runner(TestConfig config, std::unique_ptr<workload::Workload> workload, RunnerTime time)
    : config_(std::move(config)),
      workload_(std::move(workload)),
      time_(time),
      clock_(time.manual ? static_cast<const Clock&>(*time.manual) : static_cast<const Clock&>(steady_)),
      rng_generator_(Rng(config_.seed).fork("generator")),
      rng_scheduler_(Rng(config_.seed).fork("scheduler")) {
  SQ_ASSERT(workload_ != nullptr);
  SQ_ASSERT_GE(config_.concurrency, 1);
  // Ops are bounded so that a huge --rate cannot exhaust memory: ~100 bytes per op.
  max_ops_ = 20'000'000;
}

Runner::~Runner() = default;

void Runner::note(const std::string& line) {
  // Notes quote nodes (stderr tails, reply types): no control byte of theirs may reach
  // the terminal or the log raw.
  std::string shown = printable(line, /*keep_newlines=*/true);
  if (store_) store_->log(shown);
  if (config_.status_line) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "squall: %s\n", shown.c_str());
}

Result<RunSummary> Runner::run() {
  ::signal(SIGPIPE, SIG_IGN);  // a node that dies mid-write must not take the harness along
  auto store = Store::create(config_.store_dir, std::string(workload_->name()));
  if (!store.ok()) return err(store.error());
  store_ = std::move(*store);
  auto loop = EventLoop::create(time_.manual, time_.settle_ms);
  if (!loop.ok()) return err(loop.error());
  loop_ = std::move(*loop);
  auto sigfd = loop_->watch_signals();
  if (!sigfd.ok()) return err(sigfd.error());
  if (auto s = loop_->add(*sigfd, EPOLLIN, kTagSignal); !s.ok()) return err(s.error());

  RouterOptions ro;
  for (int i = 0; i < config_.node_count; ++i) ro.node_names.push_back(config_.node_id(i));
  ro.bin = config_.bin;
  ro.args = config_.bin_args;
  ro.log_stderr = config_.log_stderr;
  ro.log_net_send = config_.log_net_send;
  ro.log_net_recv = config_.log_net_recv;
  ro.status_line = config_.status_line;
  ro.seed = config_.seed;
  ro.net.dist = config_.latency_dist;
  ro.net.latency_ms = config_.latency_ms;
  ro.diagram_messages = kStoredBodies;
  auto router = Router::create(std::move(ro), *store_, *loop_, clock_, static_cast<RouterEvents&>(*this));
  if (!router.ok()) return err(router.error());
  router_ = std::move(*router);
  pool_ = std::make_unique<ClientPool>(*router_, *workload_, static_cast<ClientPoolEvents&>(*this), config_.concurrency,
                                       static_cast<int64_t>(config_.rpc_timeout_s * 1e9));

  clock_.restart();
  std::string args;
  for (const auto& a : config_.bin_args) args += " " + a;
  note(fmt::format("seed {} (replay with --seed {})", config_.seed, config_.seed));
  note(fmt::format("workload {}, {} nodes, concurrency {}, rate {}/s, time limit {} s, latency {} ms {}, nemesis {}",
                   workload_->name(), config_.node_count, config_.concurrency, config_.rate, config_.time_limit_s,
                   config_.latency_ms, net::latency_dist_name(config_.latency_dist),
                   config_.nemesis.empty() ? "none" : fmt::format("{}", fmt::join(config_.nemesis, ","))));
  note("store " + store_->dir());
  if (auto s = start(); !s.ok()) {
    // The run directory exists and `latest` points at it: say there why it is empty.
    store_->log("the run did not start: " + s.error());
    (void)store_->write_report("The run did not start: " + s.error() + "\n");
    store_->flush();
    return err(s.error());
  }
  run_phases();
  return finish();
}

Status Runner::start() {
  int n = config_.node_count;
  init_state_.assign(static_cast<size_t>(n), InitState::kWaiting);
  setup_sent_.assign(static_cast<size_t>(n), false);
  setup_ok_.assign(static_cast<size_t>(n), false);
  const auto main_ns = static_cast<int64_t>(config_.time_limit_s * 1e9);
  if (config_.has_nemesis("partition") || config_.has_nemesis("one-way")) {
    schedule_ = partition_schedule(n, config_.nemesis_interval_s, main_ns, Rng(config_.seed).fork("nemesis"),
                                   config_.has_nemesis("one-way"), config_.has_nemesis("partition"));
  }
  std::vector<std::vector<ProcessFaultEvent>> proc;
  for (const char* kind : {"kill", "pause"}) {
    if (config_.has_nemesis(kind))
      proc.push_back(process_fault_schedule(kind, n, config_.nemesis_interval_s, main_ns,
                                            Rng(config_.seed).fork(std::string("nemesis-") + kind)));
  }
  process_faults_ = merge_schedules(std::move(proc));

  note(fmt::format("starting {} nodes: {}", n, config_.bin));
  if (auto s = router_->start_nodes(); !s.ok()) return s;
  int64_t now = now_ns();
  for (int i = 0; i < n; ++i) send_init(i, now);
  return {};
}

void Runner::send_init(int node, int64_t now) {
  // Every node's first init comes from its own client, c0 .. c(n-1); a restarted node's
  // from a new control client.
  const std::vector<std::string>& names = router_->node_names();
  std::string ids = "[";
  for (size_t i = 0; i < names.size(); ++i) ids += std::string(i ? "," : "") + "\"" + names[i] + "\"";
  ids += "]";
  int c = pool_->add(ClientRole::kControl, node, -1, -1);
  pool_->send(
      c, fmt::format("{{\"type\":\"init\",\"node_id\":\"{}\",\"node_ids\":{}}}", names[static_cast<size_t>(node)], ids),
      static_cast<int64_t>(config_.init_timeout_s * 1e9), now);
}

void Runner::run_phases() {
  auto seconds = [](double s) { return static_cast<int64_t>(s * 1e9); };
  phase_ = Phase::kInit;
  loop_until(now_ns() + seconds(config_.init_timeout_s) + 100'000'000, &Runner::init_done);
  if (interrupted_) {
    // Not a timeout: the user stopped the run before the nodes had their full wait.
    std::vector<std::string> waiting;
    for (size_t i = 0; i < init_state_.size(); ++i)
      if (init_state_[i] == InitState::kWaiting) waiting.push_back(router_->node_names()[i]);
    note(fmt::format("interrupted during init at {:.1f} s{}", static_cast<double>(now_ns()) / 1e9,
                     waiting.empty() ? "" : fmt::format("; {} had not answered init yet", fmt::join(waiting, ", "))));
    return;
  }
  for (size_t i = 0; i < init_state_.size(); ++i) {
    if (init_state_[i] == InitState::kWaiting) {
      init_state_[i] = InitState::kFailed;
      setup_problems_.push_back(
          fmt::format("{} did not answer init within {} s", router_->node_names()[i], config_.init_timeout_s));
      note(setup_problems_.back());
    }
  }
  const std::vector<bool>& alive = router_->nodes_alive();
  if (std::none_of(alive.begin(), alive.end(), [](bool a) { return a; })) {
    note("no node is running after init; ending the run");
    phase_ = Phase::kDone;
    return;
  }

  // Workload setup (broadcast's topology), sent by each node's init client.
  phase_ = Phase::kSetup;
  workload::SetupContext sctx;
  sctx.nodes = router_->node_names();
  sctx.topology_json = topology_json(sctx.nodes, make_topology(config_.topology, config_.node_count));
  int64_t now = now_ns();
  bool any_setup = false;
  for (size_t i = 0; i < sctx.nodes.size(); ++i) {
    auto body = workload_->setup_body(sctx, sctx.nodes[i]);
    if (!body) {
      setup_ok_[i] = true;
      continue;
    }
    any_setup = true;
    setup_sent_[i] = true;
    pool_->send(static_cast<int>(i), *body, seconds(config_.rpc_timeout_s), now);  // the init clients come first
  }
  if (any_setup) loop_until(now + seconds(config_.rpc_timeout_s) + 100'000'000, &Runner::setup_done);
  if (interrupted_) return;

  phase_ = Phase::kMain;
  main_start_ns_ = now_ns();
  main_end_ns_ = main_start_ns_ + seconds(config_.time_limit_s);
  next_op_ns_ = main_start_ns_;
  pool_->add_workers();
  note(fmt::format("main phase: {} s", config_.time_limit_s));
  loop_until(main_end_ns_, &Runner::never);
  if (interrupted_) return;

  phase_ = Phase::kRecovery;
  heal(now_ns());
  end_process_faults(now_ns());
  if (!workload_->final_op()) {
    // No final reads: just let the last ops finish (bounded by the RPC timeout).
    note(fmt::format("main phase over after {} ops; waiting for outstanding replies", pool_->invoke_count()));
    loop_until(now_ns() + seconds(config_.rpc_timeout_s) + 100'000'000, &Runner::workers_idle);
  } else {
    note(fmt::format("main phase over after {} ops; network healed, waiting {} s before final reads",
                     pool_->invoke_count(), config_.recovery_time_s));
    loop_until(now_ns() + seconds(config_.recovery_time_s), &Runner::never);
  }
  if (interrupted_) return;

  if (workload_->final_op()) {
    phase_ = Phase::kFinal;
    final_start_ns_ = now_ns();
    for (int i = 0; i < config_.node_count; ++i) final_pending_.push_back(i);
    note("final reads on every node");
    // Outstanding main-phase ops may hold a node's worker; every final read gets its own
    // client, so the wait is bounded by one RPC timeout after the last one is issued.
    loop_until(now_ns() + 2 * seconds(config_.rpc_timeout_s) + 500'000'000, &Runner::final_done);
  }
  phase_ = Phase::kDone;
}

bool Runner::init_done() const {
  return std::none_of(init_state_.begin(), init_state_.end(), [](InitState s) { return s == InitState::kWaiting; });
}

bool Runner::setup_done() const {
  for (size_t i = 0; i < pool_->size() && i < init_state_.size(); ++i)
    if (pool_->client(static_cast<int>(i)).busy) return false;
  return true;
}

bool Runner::final_done() const { return final_pending_.empty() && pool_->finals_idle(); }

void Runner::loop_until(int64_t deadline_ns, bool (Runner::*done)() const) {
  while (!interrupted_) {
    int64_t now = now_ns();
    step(now);
    if ((this->*done)() || now >= deadline_ns) return;
    int64_t wake = std::min(deadline_ns, router_->next_deadline_ns());
    if (phase_ == Phase::kMain) {
      if (config_.rate > 0) wake = std::min(wake, next_op_ns_);
      if (next_nemesis_ < schedule_.size()) wake = std::min(wake, main_start_ns_ + schedule_[next_nemesis_].at_ns);
      if (next_process_fault_ < process_faults_.size())
        wake = std::min(wake, main_start_ns_ + process_faults_[next_process_fault_].at_ns);
    }
    wake = std::min(wake, pool_->next_deadline_ns());
    wake = std::min(wake, last_status_ns_ + kStatusPeriodNs);
    wake = std::min(wake, last_flush_ns_ + kFlushPeriodNs);
    poll_io(now, wake);
  }
}

void Runner::step(int64_t now) {
  size_t budget = kMaxDeliveriesPerStep;
  router_->deliver_due(now, &budget);
  // Client ops and nemesis actions below may queue more; flush after them too.
  router_->flush_nodes();
  router_->check_exits(phase_ == Phase::kDone);
  if (phase_ == Phase::kMain) {
    apply_nemesis(now);
    if (now < main_end_ns_) generate(now);
  }
  if (phase_ == Phase::kFinal) issue_final_reads(now);
  pool_->expire(now);
  // Client requests have zero latency: deliver what the generator just sent at once.
  router_->deliver_due(now, &budget);
  router_->flush_nodes();
  if (now - last_status_ns_ >= kStatusPeriodNs) {
    status_line(now, false);
    last_status_ns_ = now;
  }
  if (now - last_flush_ns_ >= kFlushPeriodNs) {
    store_->flush();
    router_->tidy();
    last_flush_ns_ = now;
  }
}

void Runner::poll_io(int64_t now, int64_t wake_ns) {
  // At most a second per wait, so that a wake-up computed from stale state is redone.
  int64_t timeout_ns = std::clamp<int64_t>(wake_ns - now, 0, 1'000'000'000);
  const auto& events = loop_->wait(timeout_ns);
  for (const epoll_event& ev : events) {
    if (ev.data.u64 == kTagSignal) {
      int sig = loop_->read_signal();
      if (sig != 0) {
        signal_ = sig;
        interrupted_ = true;
        const char* name = sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
        note(fmt::format("received {}; stopping the nodes and writing what was recorded", name));
      }
      continue;
    }
    bool routed = router_->on_io(ev);
    SQ_ASSERT_MSG(routed, "an event with an unknown tag " << ev.data.u64);
  }
}

}  // namespace squall::harness
