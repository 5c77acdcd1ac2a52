#include "harness/runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include <fmt/format.h>

#include "harness/topology.h"
#include "harness/untrusted_text.h"

#ifdef SQUALL_HAVE_SERVICES
#include "services/service.h"
#endif

namespace squall::harness {
namespace {

constexpr uint64_t kTagStdout = 1, kTagStdin = 2, kTagStderr = 3, kTagSignal = 4;
uint64_t tag(uint64_t kind, int index) { return (kind << 32) | static_cast<uint32_t>(index); }
constexpr int64_t kStatusPeriodNs = 250'000'000;
constexpr int64_t kFlushPeriodNs = 200'000'000;
constexpr size_t kMaxDeliveriesPerStep = 20000;

}  // namespace

Runner::Runner(TestConfig config, std::unique_ptr<workload::Workload> workload)
    : config_(std::move(config)),
      workload_(std::move(workload)),
      rng_generator_(Rng(config_.seed).fork("generator")),
      rng_scheduler_(Rng(config_.seed).fork("scheduler")) {
  SQ_ASSERT(workload_ != nullptr);
  SQ_ASSERT_GE(config_.concurrency, 1);
  // Ops are bounded so that a huge --rate cannot exhaust memory: ~100 bytes per op.
  max_ops_ = 20'000'000;
}

Runner::~Runner() {
  for (auto& p : procs_)
    if (p) p->kill_and_reap();
}

void Runner::stop_nodes() {
  for (auto& p : procs_) {
    p->kill_and_reap();
    guard_->forget(p->pid());
  }
  // Orphans of the nodes were reparented to us; any still running outlived their node.
  leftovers_ = guard_->kill_all();
  for (const LeftoverProcess& l : leftovers_) note(fmt::format("killed process {} left running by the nodes: {}", l.pid, l.command));
  // Their descendants may have held the stderr pipes open: only now is the rest readable.
  for (auto& p : procs_) p->close_log();
}

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
  auto loop = EventLoop::create();
  if (!loop.ok()) return err(loop.error());
  loop_ = std::move(*loop);
  auto sigfd = loop_->watch_signals();
  if (!sigfd.ok()) return err(sigfd.error());
  if (auto s = loop_->add(*sigfd, EPOLLIN, tag(kTagSignal, 0)); !s.ok()) return err(s.error());

  auto guard = DescendantGuard::create();
  if (!guard.ok()) return err(guard.error());
  guard_ = std::move(*guard);

  t0_ns_ = clock_.now_ns();
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
  net::NetworkOptions opts;
  opts.dist = config_.latency_dist;
  opts.latency_ms = config_.latency_ms;
  net_ = std::make_unique<net::Network>(opts, Rng(config_.seed).fork("network"));
  int n = config_.node_count;
  for (int i = 0; i < n; ++i) {
    node_names_.push_back(config_.node_id(i));
    net_->add_endpoint(node_names_.back(), net::EndpointKind::kServer);
  }
  for (const char* svc : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"}) net_->add_endpoint(svc, net::EndpointKind::kService);
  endpoint_client_.assign(net_->endpoint_count(), -1);
  node_alive_.assign(static_cast<size_t>(n), false);
  stdout_open_.assign(static_cast<size_t>(n), false);
  stdout_eof_ns_.assign(static_cast<size_t>(n), -1);
  init_state_.assign(static_cast<size_t>(n), InitState::kWaiting);
  setup_ok_.assign(static_cast<size_t>(n), false);
  if (config_.nemesis.size() > 0 && config_.has_nemesis("partition")) {
    schedule_ = partition_schedule(n, config_.nemesis_interval_s, static_cast<int64_t>(config_.time_limit_s * 1e9),
                                   Rng(config_.seed).fork("nemesis"));
  }

  note(fmt::format("starting {} nodes: {}", n, config_.bin));
  for (int i = 0; i < n; ++i) {
    NodeProcess::Options o;
    o.name = node_names_[static_cast<size_t>(i)];
    o.bin = config_.bin;
    o.args = config_.bin_args;
    o.stderr_path = store_->node_log_path(o.name);
    o.pipe_stderr = config_.log_stderr;
    o.env = {guard_->marker_env()};
    o.stdin_budget = &stdin_budget_;
    auto p = NodeProcess::spawn(o);
    if (!p.ok()) return err(p.error());
    procs_.push_back(std::move(*p));
    NodeProcess& proc = *procs_.back();
    guard_->track(proc.pid());
    node_alive_[static_cast<size_t>(i)] = true;
    stdout_open_[static_cast<size_t>(i)] = true;
    if (auto s = loop_->add(proc.stdout_fd(), EPOLLIN, tag(kTagStdout, i)); !s.ok()) return s;
    if (auto s = loop_->add(proc.stdin_fd(), 0, tag(kTagStdin, i)); !s.ok()) return s;
    if (auto s = loop_->add(proc.stderr_fd(), EPOLLIN, tag(kTagStderr, i)); !s.ok()) return s;
  }
  // Every node's init comes from its own client, c0 .. c(n-1).
  std::string ids = "[";
  for (int i = 0; i < n; ++i) ids += std::string(i ? "," : "") + "\"" + node_names_[static_cast<size_t>(i)] + "\"";
  ids += "]";
  int64_t now = now_ns();
  for (int i = 0; i < n; ++i) {
    int c = new_client(Purpose::kInit, i, -1, -1);
    Client& cl = clients_[static_cast<size_t>(c)];
    cl.busy = true;
    cl.deadline_ns = now + static_cast<int64_t>(config_.init_timeout_s * 1e9);
    send_from_client(cl, fmt::format("{{\"type\":\"init\",\"node_id\":\"{}\",\"node_ids\":{}}}", node_names_[static_cast<size_t>(i)], ids), now);
  }
  return {};
}

void Runner::run_phases() {
  auto seconds = [](double s) { return static_cast<int64_t>(s * 1e9); };
  phase_ = Phase::kInit;
  loop_until(now_ns() + seconds(config_.init_timeout_s) + 100'000'000, &Runner::init_done);
  if (interrupted_) {
    // Not a timeout: the user stopped the run before the nodes had their full wait.
    std::vector<std::string> waiting;
    for (size_t i = 0; i < init_state_.size(); ++i)
      if (init_state_[i] == InitState::kWaiting) waiting.push_back(node_names_[i]);
    note(fmt::format("interrupted during init at {:.1f} s{}", static_cast<double>(now_ns()) / 1e9,
                     waiting.empty() ? "" : fmt::format("; {} had not answered init yet", fmt::join(waiting, ", "))));
    return;
  }
  for (size_t i = 0; i < init_state_.size(); ++i) {
    if (init_state_[i] == InitState::kWaiting) {
      init_state_[i] = InitState::kFailed;
      setup_problems_.push_back(fmt::format("{} did not answer init within {} s", node_names_[i], config_.init_timeout_s));
      note(setup_problems_.back());
    }
  }
  if (std::none_of(node_alive_.begin(), node_alive_.end(), [](bool alive) { return alive; })) {
    note("no node is running after init; ending the run");
    phase_ = Phase::kDone;
    return;
  }

  // Workload setup (broadcast's topology), sent by each node's init client.
  phase_ = Phase::kSetup;
  workload::SetupContext sctx;
  sctx.nodes = node_names_;
  sctx.topology_json = topology_json(node_names_, make_topology(config_.topology, config_.node_count));
  int64_t now = now_ns();
  bool any_setup = false;
  for (size_t i = 0; i < node_names_.size(); ++i) {
    auto body = workload_->setup_body(sctx, node_names_[i]);
    if (!body) {
      setup_ok_[i] = true;
      continue;
    }
    any_setup = true;
    Client& c = clients_[i];  // the init clients come first
    c.busy = true;
    c.setup = true;
    c.deadline_ns = now + seconds(config_.rpc_timeout_s);
    send_from_client(c, *body, now);
  }
  if (any_setup) loop_until(now + seconds(config_.rpc_timeout_s) + 100'000'000, &Runner::setup_done);
  if (interrupted_) return;

  phase_ = Phase::kMain;
  main_start_ns_ = now_ns();
  main_end_ns_ = main_start_ns_ + seconds(config_.time_limit_s);
  next_op_ns_ = main_start_ns_;
  for (int t = 0; t < config_.concurrency; ++t) {
    worker_of_thread_.push_back(new_client(Purpose::kWorker, t % config_.node_count, t, t));
  }
  note(fmt::format("main phase: {} s", config_.time_limit_s));
  loop_until(main_end_ns_, &Runner::never);
  if (interrupted_) return;

  phase_ = Phase::kRecovery;
  heal(now_ns());
  if (!workload_->final_op()) {
    // No final reads: just let the last ops finish (bounded by the RPC timeout).
    note(fmt::format("main phase over after {} ops; waiting for outstanding replies", invoke_count_));
    loop_until(now_ns() + seconds(config_.rpc_timeout_s) + 100'000'000, &Runner::workers_idle);
  } else {
    note(fmt::format("main phase over after {} ops; network healed, waiting {} s before final reads", invoke_count_,
                     config_.recovery_time_s));
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
  for (size_t i = 0; i < clients_.size() && i < node_names_.size(); ++i)
    if (clients_[i].busy) return false;
  return true;
}

bool Runner::workers_idle() const {
  for (int idx : worker_of_thread_)
    if (clients_[static_cast<size_t>(idx)].busy) return false;
  return true;
}

bool Runner::final_done() const {
  if (!final_pending_.empty()) return false;
  for (const Client& c : clients_)
    if (c.purpose == Purpose::kFinal && c.busy) return false;
  return true;
}

void Runner::loop_until(int64_t deadline_ns, bool (Runner::*done)() const) {
  while (!interrupted_) {
    int64_t now = now_ns();
    step(now);
    if ((this->*done)() || now >= deadline_ns) return;
    int64_t wake = std::min(deadline_ns, net_->next_deadline_ns());
    if (phase_ == Phase::kMain) {
      if (config_.rate > 0) wake = std::min(wake, next_op_ns_);
      if (next_nemesis_ < schedule_.size()) wake = std::min(wake, main_start_ns_ + schedule_[next_nemesis_].at_ns);
    }
    for (const Client& c : clients_)
      if (c.busy && !c.retired) wake = std::min(wake, c.deadline_ns);
    if (config_.status_line) wake = std::min(wake, last_status_ns_ + kStatusPeriodNs);
    wake = std::min(wake, last_flush_ns_ + kFlushPeriodNs);
    poll_io(now, wake);
  }
}

void Runner::log_net(bool enabled, const char* what, int src, int dest, std::string_view line) {
  if (!enabled) return;
  store_->log(fmt::format("net {} {} -> {}: {}", what, net_->name(src), net_->name(dest), line));
}

void Runner::step(int64_t now) {
  net::Delivery d;
  size_t delivered = 0;
  while (delivered < kMaxDeliveriesPerStep && net_->pop_due(now, &d)) {
    log_net(config_.log_net_recv, "recv", d.src, d.dest, d.line);
    deliver(d, now);
    ++delivered;
  }
  // Client ops and nemesis actions below may queue more; flush after them too.
  flush_nodes();
  check_exits();
  if (phase_ == Phase::kMain) {
    apply_nemesis(now);
    if (now < main_end_ns_) generate(now);
  }
  if (phase_ == Phase::kFinal) issue_final_reads(now);
  check_timeouts(now);
  // Client requests have zero latency: deliver what the generator just sent at once.
  while (delivered < kMaxDeliveriesPerStep && net_->pop_due(now, &d)) {
    log_net(config_.log_net_recv, "recv", d.src, d.dest, d.line);
    deliver(d, now);
    ++delivered;
  }
  flush_nodes();
  if (config_.status_line && now - last_status_ns_ >= kStatusPeriodNs) {
    status_line(now, false);
    last_status_ns_ = now;
  }
  if (now - last_flush_ns_ >= kFlushPeriodNs) {
    store_->flush();
    guard_->reap_exited_orphans();
    last_flush_ns_ = now;
  }
}

void Runner::poll_io(int64_t now, int64_t wake_ns) {
  int timeout_ms = 0;
  if (wake_ns > now) {
    int64_t ms = (wake_ns - now + 999'999) / 1'000'000;
    timeout_ms = static_cast<int>(std::min<int64_t>(ms, 1000));
  }
  const auto& events = loop_->wait(timeout_ms);
  for (const epoll_event& ev : events) {
    uint64_t kind = ev.data.u64 >> 32;
    int idx = static_cast<int>(ev.data.u64 & 0xffffffffu);
    if (kind == kTagSignal) {
      int sig = loop_->read_signal();
      if (sig != 0) {
        signal_ = sig;
        interrupted_ = true;
        const char* name = sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
        note(fmt::format("received {}; stopping the nodes and writing what was recorded", name));
      }
      continue;
    }
    NodeProcess& p = *procs_[static_cast<size_t>(idx)];
    if (kind == kTagStdout) {
      bool open = p.read_stdout([&](std::string_view line) { on_node_line(idx, line); },
                                [&](size_t bytes) {
                                  protocol_error(idx, ProtocolErrorKind::kLineTooLong,
                                                 fmt::format("a stdout line exceeded {} bytes ({} so far); discarded",
                                                             kMaxLineBytes, bytes),
                                                 "");
                                });
      if (!open) on_node_eof(idx);
    } else if (kind == kTagStdin) {
      if (ev.events & (EPOLLERR | EPOLLHUP)) {
        loop_->remove(p.stdin_fd());
        continue;
      }
      if (auto s = p.flush(); !s.ok() || !p.has_queued_input()) (void)loop_->modify(p.stdin_fd(), 0, tag(kTagStdin, idx));
    } else if (kind == kTagStderr) {
      bool open = p.read_stderr([&](std::string_view line) {
        if (config_.status_line) std::fprintf(stderr, "\r\033[K");
        std::fprintf(stderr, "[%s] %s\n", p.name().c_str(), printable(line).c_str());
      });
      if (!open) loop_->remove(p.stderr_fd());
    }
  }
}

}  // namespace squall::harness
