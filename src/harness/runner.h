// Runner: one `squall test` run from start to verdict.
//
// Phases: start every node in parallel and send each its `init` (10 s to answer); send
// the workload's setup (broadcast's topology); the main phase (the generator issues ops
// at --rate across --concurrency clients while the nemesis follows its schedule) for
// --time-limit; heal the network and wait --recovery-time; final reads on every node;
// kill and reap the nodes; check; write results and the report.
//
// Everything happens on one thread in one epoll loop: each node stdout line is parsed
// once (proto::parse_envelope), routed by its "dest" with its "src" as written (a node may
// forward a client's request keeping the client's src), queued in the simulated network
// under the physical sender's partitions and latency, and written to the destination at
// its deadline; clients and services get the parsed message with it. Bad node output,
// crashes and protocol violations are recorded and counted, never fatal; protocol
// violations are warnings unless --strict. SIGINT, SIGTERM and SIGHUP end the run early;
// what was recorded is still checked and written. The nodes and whatever they start live
// no longer than the run (see DescendantGuard); processes they leave behind are killed at
// the end and reported. Not thread-safe; one Runner per run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/rng.h"
#include "harness/artifacts.h"
#include "harness/config.h"
#include "harness/descendant_guard.h"
#include "harness/event_loop.h"
#include "harness/nemesis.h"
#include "harness/process.h"
#include "harness/protocol_error.h"
#include "harness/stdin_budget.h"
#include "harness/store.h"
#include "net/network.h"
#include "workload/workload.h"

namespace squall::services {
class Service;
}

namespace squall::harness {

struct NodeCrash {
  int64_t t_ns = 0;
  std::string node;
  std::string status;  // "exit status 1", "killed by signal 11 (...)"
  std::vector<std::string> stderr_tail;
};

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

class Runner {
 public:
  Runner(TestConfig config, std::unique_ptr<workload::Workload> workload);
  ~Runner();

  // Harness-level failures (cannot create the store, cannot execute the binary) are
  // errors; everything about the nodes' behaviour ends up in the summary.
  Result<RunSummary> run();

  // Invocations in the order the generator made them, "f value" (for determinism tests).
  const std::vector<std::string>& generated() const { return generated_; }
  const std::vector<NemesisEvent>& nemesis_schedule() const { return schedule_; }

 private:
  enum class Purpose { kInit, kWorker, kFinal };
  struct Client {
    Purpose purpose = Purpose::kWorker;
    int thread = -1;         // worker thread, or -1
    int node = 0;            // node index it talks to
    int endpoint = -1;       // network endpoint (its cN name)
    int64_t process = 0;
    int64_t next_msg_id = 1;
    bool busy = false;
    bool retired = false;
    int64_t msg_id = 0;      // in flight
    int64_t deadline_ns = 0;
    int64_t invoke_ns = 0;
    workload::Invocation inv;
    bool setup = false;      // in flight request is the workload setup
  };
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
  bool workers_idle() const;
  bool never() const { return false; }
  int64_t now_ns() const { return clock_.now_ns() - t0_ns_; }
  void note(const std::string& line);  // jepsen.log + console
  void stop_nodes();                   // kill and reap the nodes and what they left behind

  // router.cc: node output and deliveries
  void on_node_line(int node, std::string_view line);
  void on_node_eof(int node);
  void check_exits();
  void deliver(net::Delivery& d, int64_t now);
  void flush_nodes();
  void deliver_to_service(net::Delivery& d, int64_t now);
  void protocol_error(int node, ProtocolErrorKind kind, const std::string& detail, std::string_view line);
  void on_bad_line(int node, const proto::LineError& e, std::string_view line);
  void reply_failed(std::string_view dest, std::optional<int64_t> in_reply_to, ProtocolErrorKind kind,
                    const std::string& detail, int64_t now);
  int64_t send_from_client(Client& c, std::string_view body_without_msg_id, int64_t now);
  void route(int src, int dest, std::string_view src_name, std::string_view dest_name, std::string_view body, int64_t now);
  // --log-net-send / --log-net-recv: one jepsen.log line per message sent or delivered.
  void log_net(bool enabled, const char* what, int src, int dest, std::string_view line);
  void route_node_message(int node, int dest, std::unique_ptr<const proto::Message> message, std::string_view line,
                          int64_t now);

  // clients.cc: clients, generator, nemesis, completions
  int new_client(Purpose purpose, int node, int thread, int64_t process);
  void invoke(Client& c, const workload::Invocation& inv, bool final, int64_t now);
  void on_client_reply(Client& c, const net::Delivery& d, int64_t now);
  void on_init_reply(Client& c, const proto::Message& reply, std::string_view line, int64_t now);
  void complete(Client& c, history::OpType type, std::string value, std::string error, int64_t now);
  void record(workload::Op op);
  void generate(int64_t now);
  void apply_nemesis(int64_t now);
  void heal(int64_t now);
  void check_timeouts(int64_t now);
  void issue_final_reads(int64_t now);
  void status_line(int64_t now, bool final_line);

  // finish.cc: verdict, results, report
  RunSummary finish();
  history::Value net_results() const;
  history::Value node_error_results() const;
  // visuals.cc: messages.svg, timeline.html and the plots
  void write_visuals(int64_t end_ns);

  TestConfig config_;
  std::unique_ptr<workload::Workload> workload_;
  SteadyClock clock_;
  int64_t t0_ns_ = 0;
  Rng rng_generator_;
  Rng rng_scheduler_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<net::Network> net_;
  std::vector<std::string> node_names_;
  StdinBudget stdin_budget_;                // shared by procs_, so declared before them
  std::unique_ptr<DescendantGuard> guard_;  // outlives procs_
  std::vector<std::unique_ptr<NodeProcess>> procs_;
  std::vector<bool> node_alive_;
  std::vector<bool> stdout_open_;
  std::vector<int64_t> stdout_eof_ns_;      // when each node's stdout closed, or -1
  std::vector<LeftoverProcess> leftovers_;  // still running after the nodes were reaped
  std::vector<InitState> init_state_;
  std::vector<bool> setup_ok_;
  std::map<std::string, std::unique_ptr<services::Service>, std::less<>> services_;
  std::vector<Client> clients_;
  std::vector<int> endpoint_client_;  // endpoint index -> client index, -1 for non-clients
  std::vector<int> worker_of_thread_;  // thread -> client index
  int next_client_name_ = 0;
  int64_t next_net_id_ = 1;
  workload::History history_;
  viz::MessageLabels message_labels_{kDiagramMessages};  // bodies of the messages messages.svg draws
  std::vector<std::string> generated_;
  std::vector<NemesisEvent> schedule_;
  size_t next_nemesis_ = 0;
  int partitions_started_ = 0;
  bool partitioned_ = false;
  std::string partition_desc_;
  Phase phase_ = Phase::kInit;
  int64_t main_start_ns_ = 0;
  int64_t main_end_ns_ = 0;
  int64_t final_start_ns_ = -1;
  int64_t next_op_ns_ = 0;
  std::vector<int> dirty_nodes_;     // nodes with queued stdin bytes to flush
  std::vector<int> final_pending_;  // node indices still needing a final read issued
  int64_t ok_count_ = 0, fail_count_ = 0, info_count_ = 0, invoke_count_ = 0;
  int64_t last_status_ns_ = 0;
  int64_t last_flush_ns_ = 0;
  bool interrupted_ = false;
  int signal_ = 0;
  int64_t lines_from_nodes_ = 0;
  int64_t late_replies_ = 0;
  int64_t to_dead_nodes_ = 0;
  std::map<std::string, int64_t> error_counts_;
  std::vector<ProtocolError> error_examples_;
  std::vector<NodeCrash> crashes_;
  std::vector<std::string> setup_problems_;
  int64_t max_ops_ = 0;
};

}  // namespace squall::harness
