// Runner: one `squall test` run from start to verdict.
//
// Phases: start every node in parallel and send each its `init` (10 s to answer); send
// the workload's setup (broadcast's topology); the main phase (the generator issues ops
// at --rate across --concurrency clients while the nemesis follows its schedule) for
// --time-limit; heal the network and wait --recovery-time; final reads on every node;
// kill and reap the nodes; check; write results and the report.
//
// Everything happens on one thread in one epoll loop. The Runner owns the phases, the
// generator and nemesis schedules and the end of the run; the Router (router.h) owns the
// network, the node processes, the services and the protocol errors; the ClientPool
// (client_pool.h) owns the clients, their requests in flight, time-outs and completions.
// SIGINT, SIGTERM and SIGHUP end the run early; what was recorded is still checked and
// written. Time is read from an injected clock: the host's steady clock by default, or a
// ManualClock that the loop advances whenever the nodes are idle (tests of long waits).
// Not thread-safe; one Runner per run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/progress.h"
#include "core/result.h"
#include "core/rng.h"
#include "harness/artifacts.h"
#include "harness/client_pool.h"
#include "harness/config.h"
#include "harness/event_loop.h"
#include "harness/nemesis.h"
#include "harness/process_nemesis.h"
#include "harness/router.h"
#include "harness/run_clock.h"
#include "harness/store.h"
#include "workload/workload.h"

namespace squall::harness {

// What a finished run hands to the report and the exit code.
struct RunSummary {
  history::Value results;
  Verdict verdict = Verdict::kUnknown;
  std::string store_dir;
  std::string report;
  int64_t duration_ns = 0;
  int64_t op_count = 0;
  bool interrupted = false;
};

// How a Runner reads time. By default the host's steady clock; with `manual`, virtual
// time: the loop polls the nodes for `settle_ms` of real time and, when none of them
// spoke, moves the clock to the next deadline (see EventLoop).
struct RunnerTime {
  ManualClock* manual = nullptr;
  int settle_ms = 0;
};

class Runner final : private RouterEvents, private ClientPoolEvents {
 public:
  Runner(TestConfig config, std::unique_ptr<workload::Workload> workload, RunnerTime time = {});
  ~Runner() override;

  // Harness-level failures (cannot create the store, cannot execute the binary) are
  // errors; everything about the nodes' behaviour ends up in the summary.
  Result<RunSummary> run();

  // Invocations in the order the generator made them, "f value" (for determinism tests).
  const std::vector<std::string>& generated() const { return generated_; }
  const std::vector<NemesisEvent>& nemesis_schedule() const { return schedule_; }

 private:
  enum class Phase { kInit, kSetup, kMain, kRecovery, kFinal, kDone };
  enum class InitState { kWaiting, kOk, kFailed };

  // runner.cc: phases and the loop
  Status start();
  void run_phases();
  void loop_until(int64_t deadline_ns, bool (Runner::*done)() const);
  void step(int64_t now);
  void poll_io(int64_t now, int64_t wake_ns);
  bool init_done() const;
  bool setup_done() const;
  bool final_done() const;
  bool workers_idle() const { return pool_->workers_idle(); }
  bool never() const { return false; }
  int64_t now_ns() const { return clock_.now_ns(); }
  void stop_nodes() { router_->stop_nodes(); }

  // schedule.cc: generator, nemesis, final reads, init and setup replies, the console
  void generate(int64_t now);
  void apply_nemesis(int64_t now);
  void heal(int64_t now);
  void apply_process_fault(const ProcessFaultEvent& e, int64_t now);
  void end_process_faults(int64_t now);
  void send_init(int node, int64_t now);
  void issue_final_reads(int64_t now);
  void status_line(int64_t now, bool final_line);
  void note(const std::string& line) override;  // jepsen.log + console
  void record(workload::Op op) override;
  void on_client_message(const net::Delivery& d, int64_t now) override { pool_->on_message(d, now); }
  void on_broken_reply(int client, int64_t in_reply_to, ProtocolErrorKind kind, const std::string& detail,
                       int64_t now) override {
    pool_->on_broken_reply(client, in_reply_to, kind, detail, now);
  }
  void on_node_stopped(int node, const NodeCrash& crash) override;
  void on_control_reply(int client, const proto::Message& reply, std::string_view line, int64_t now) override;
  void on_control_timeout(int client, int64_t now) override;

  // finish.cc: verdict, results, report
  RunSummary finish();
  history::Value net_results() const;
  history::Value node_error_results() const;
  // visuals.cc: messages.svg, timeline.html and the plots
  void write_visuals(int64_t end_ns);

  TestConfig config_;
  std::unique_ptr<workload::Workload> workload_;
  RunnerTime time_;
  SteadyClock steady_;
  RunClock clock_;
  Rng rng_generator_;
  Rng rng_scheduler_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<Router> router_;  // after loop_: it unregisters from it
  std::unique_ptr<ClientPool> pool_;
  std::vector<InitState> init_state_;
  std::vector<bool> setup_sent_;  // node's control client waits for the setup reply
  std::vector<bool> setup_ok_;
  workload::History history_;
  std::vector<std::string> generated_;
  std::vector<NemesisEvent> schedule_;
  size_t next_nemesis_ = 0;
  std::vector<ProcessFaultEvent> process_faults_;  // kill / pause schedule
  size_t next_process_fault_ = 0;
  std::vector<std::string> nemesis_events_;  // "12.3 s kill n2", for the report
  std::map<std::string, int64_t> nemesis_counts_;
  int partitions_started_ = 0;
  bool partitioned_ = false;
  std::string partition_desc_;
  Phase phase_ = Phase::kInit;
  int64_t main_start_ns_ = 0;
  int64_t main_end_ns_ = 0;
  int64_t final_start_ns_ = -1;
  int64_t next_op_ns_ = 0;
  std::vector<int> final_pending_;  // node indices still needing a final read issued
  int64_t last_status_ns_ = 0;
  // The live status line on a terminal, plain periodic lines elsewhere.
  core::Progress progress_{core::Progress::stderr_sink(), config_.status_line};
  int64_t last_flush_ns_ = 0;
  bool interrupted_ = false;
  int signal_ = 0;
  std::vector<std::string> setup_problems_;
  int64_t max_ops_ = 0;
};

}  // namespace squall::harness
