// Driver: one `squall sim -w` run, from init to verdict, on virtual time.
//
// The phases are squall test's (harness/runner.h): init from one control client per
// node, the workload's setup, the main phase (the workload's generator at --rate with
// Jepsen's stagger, across --concurrency clients, while the nemesis follows its seeded
// schedule), heal and recovery, final reads, then the workload's checker, the stats and
// availability checks and the MAELSTROM REPORT (harness/report.h). Clients are
// harness::ClientPool on a SimRouter; the store, when given, gets squall test's layout.
// Time only moves when nothing is due: the run jumps from event to event, so simulated
// seconds cost what their events cost. Same config and seed, same history, report and
// trace, byte for byte. Not thread-safe; one Driver per run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/verdict.h"
#include "harness/client_pool.h"
#include "harness/nemesis.h"
#include "harness/process_nemesis.h"
#include "harness/store.h"
#include "history/value.h"
#include "msim/config.h"
#include "msim/exact_rounds.h"
#include "msim/node_app.h"
#include "msim/sim_router.h"
#include "msim/trace.h"
#include "workload/workload.h"

namespace squall::msim {

struct RunOptions {
  std::string store_root;  // empty: no store (sweeps run in memory)
  size_t trace_tail = 60;  // trace lines kept for a failure
  std::FILE* trace_sink = nullptr;
  bool keep_history_text = true;  // history.edn text in RunResult
};

struct RunResult {
  Verdict verdict = Verdict::kUnknown;
  std::string report;
  std::string history_edn;  // exactly what the store's history.edn holds
  history::Value results;
  uint64_t trace_digest = 0;
  uint64_t trace_events = 0;
  std::vector<std::string> trace_tail;
  std::string store_dir;
  std::string replay;
  int64_t ops = 0;
  int64_t sim_ns = 0;
  int64_t delivered = 0;  // messages delivered to nodes
  std::string faults;     // the mix this run used
};

class Driver final : private SimRouterEvents, private harness::ClientPoolEvents {
 public:
  Driver(MsimConfig config, NodeFactory factory, std::unique_ptr<workload::Workload> workload, RunOptions options);
  ~Driver() override;
  Result<RunResult> run();

 private:
  enum class Phase { kInit, kSetup, kMain, kRecovery, kFinal, kDone };

  void loop_until(int64_t deadline_ns, bool (Driver::*done)() const);
  void step(int64_t now);
  bool init_done() const;
  bool setup_done() const;
  bool final_done() const { return final_issued_ && pool_->finals_idle(); }
  bool workers_idle() const { return pool_->workers_idle(); }
  bool never() const { return false; }

  void send_init(int node, int64_t now);
  void generate(int64_t now);
  void apply_nemesis(int64_t now);
  void end_faults(int64_t now);
  void nemesis_pair(const std::string& f, const std::string& value, const std::string& note, int64_t now);
  RunResult finish();

  // ClientPoolEvents, SimRouterEvents
  void record(workload::Op op) override;
  void on_control_reply(int client, const proto::Message& reply, std::string_view line, int64_t now) override;
  void on_control_timeout(int client, int64_t now) override;
  void on_client_message(const net::Delivery& d, int64_t now) override { pool_->on_message(d, now); }
  void on_node_stopped(int node, const SimCrash& crash) override;

  MsimConfig config_;
  NodeFactory factory_;
  std::unique_ptr<workload::Workload> workload_;
  RunOptions options_;
  Rng rng_generator_;
  Rng rng_scheduler_;
  Trace trace_;
  std::unique_ptr<ExactRounds> rounds_;
  std::unique_ptr<harness::Store> store_;
  std::unique_ptr<SimRouter> router_;
  std::unique_ptr<harness::ClientPool> pool_;
  int64_t now_ = 0;
  Phase phase_ = Phase::kInit;
  std::vector<int> init_client_;  // node -> its latest init client, -1 once answered
  std::vector<bool> init_ok_;
  std::vector<bool> setup_waiting_;
  std::vector<std::string> setup_problems_;
  std::vector<harness::NemesisEvent> partitions_;
  std::vector<harness::ProcessFaultEvent> process_faults_;
  size_t next_partition_ = 0, next_process_fault_ = 0;
  bool partitioned_ = false;
  std::map<std::string, int64_t> nemesis_counts_;
  std::vector<int> down_, paused_;  // per node: 1 while killed / paused by the nemesis
  int64_t main_start_ns_ = 0, main_end_ns_ = 0, next_op_ns_ = 0, final_start_ns_ = -1;
  bool final_issued_ = false;
  workload::History history_;
  std::string history_edn_;
  // The node_ids array of every init, rendered once: per node it cost n formats, and
  // n² in all (10^8 at 10,000 nodes).
  std::string node_ids_json_;
};

}  // namespace squall::msim
