// Simulator: one deterministic simulated run of the shard coordination protocol.
//
// Single-threaded, discrete-event: virtual time advances in whole ticks of cfg.tick_ms,
// but jumps straight to the next tick at which something can happen (a delivery, an
// actor waking up, a scheduled fault), so idle time costs nothing. Components draw from Rngs
// forked from the seed by label (network, faults, store, truth, admin, each worker), so
// adding draws in one does not shift another. A run is: setup (create the run, register
// the roots), the zombie preamble (acquire → expire → another worker acquires → a stale
// checkpoint must be rejected; then the same with a same-owner stale fence), the safety
// phase (cfg.steps ticks with the level's faults), then the liveness phase (no faults:
// every shard must become Done or Split and the run must finish). The Checker runs on
// every applied commit; the run stops at the first violation.
//
// Workers are worker cores (src/worker, the same code a real worker runs) driven on
// virtual time: each keeps its own beliefs (leases it thinks it holds, with local
// deadlines on its skewed clock) and talks to the coordinator only through the
// simulated network. Sim-only behaviour (faults, the adversary) is layered around them.
// Not thread-safe; run one Simulator per thread.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "coord/coordinator.h"
#include "coord/memory_store.h"
#include "core/rng.h"
#include "sim/checker.h"
#include "sim/conduct.h"
#include "sim/config.h"
#include "sim/faulty_store.h"
#include "sim/ground_truth.h"
#include "sim/network.h"
#include "sim/stats.h"
#include "sim/trace.h"
#include "sim/truth_source.h"
#include "worker/core.h"

namespace squall::sim {

struct SeedResult {
  uint64_t seed = 0;
  bool passed = true;
  std::vector<Violation> violations;  // those found at the failing step
  Stats stats;
  uint64_t trace_hash = 0;  // 0 when untraced
  uint64_t trace_lines = 0;
  std::vector<std::string> trace_tail;
};

struct TraceOptions {
  bool enabled = false;
  size_t tail_lines = 60;
  std::FILE* sink = nullptr;  // full trace, when not null
};

SeedResult run_seed(const SimConfig& cfg, uint64_t seed, const TraceOptions& trace = {});

// ---- internals (exposed for worker.cc) ----

// A simulated worker process: the worker core (worker/core.h) plus what the simulator
// does to it (clock skew, pauses, crashes, withheld renewals) and its adversary, which
// now and then sends a request a correct coordinator must reject in the worker's name.
// The admin is a worker core in controlled mode that unparks shards and finishes the run.
struct SimWorker {
  int node = 0;
  coord::WorkerId id = 0;
  bool admin = false;
  uint32_t incarnation = 0;
  std::unique_ptr<TruthSource> source;
  std::unique_ptr<worker::Core> core;
  Rng rng{0};  // the adversary's draws (the admin's pacing for the admin)
  int64_t skew_ms = 0;
  int64_t paused_until_ms = 0;
  int64_t crashed_until_ms = 0;  // > 0 while down
  int64_t no_renew_until_ms = 0;
  int64_t admin_busy_until_ms = 0;
  // wake_time() as last computed, refreshed whenever the simulator changes this
  // worker (it acts, a message reaches it, a fault hits it, a phase ends). Between
  // changes wake_time() is constant while `now` stays below it, so the step loop reads
  // this instead of recomputing it for every worker on every step.
  int64_t wake_ms = 0;
};

class Simulator {
 public:
  Simulator(const SimConfig& cfg, uint64_t seed, const TraceOptions& trace);
  SeedResult run();

 private:
  // simulator.cc
  void setup();
  void preamble();
  // One step: advance to the next event (at most until limit_ms), then run faults,
  // deliveries and actors due. False once a violation was found.
  bool step(int64_t limit_ms);
  int64_t wake_time(const SimWorker& w) const;
  void refresh_wakes();
  void schedule_faults();
  void inject_faults();
  void end_safety_phase();
  void deliver(uint32_t slot);
  // Handles the message in `slot`; true when the slot was kept (the stale-replay ring
  // holds it), so the caller must not release it.
  bool at_coordinator(uint32_t slot);
  coord::Reply apply(const coord::Request& req, int from_node);
  void admin_act(SimWorker& a);
  bool violated() const { return checker_.failed(); }
  void trace(const std::string& s) { trace_.line(now_ms_, s); }
  // Formats the line only when tracing: most runs are untraced, and formatting every
  // fault's line regardless was measurable.
  template <typename... Args>
  void tracef(fmt::format_string<Args...> format, Args&&... args) {
    if (trace_.enabled()) trace_.line(now_ms_, fmt::format(format, std::forward<Args>(args)...));
  }

  // worker.cc
  void make_workers();
  void worker_act(SimWorker& w);
  // Hands a coordinator answer or a findings ack to the worker's core.
  void worker_receive(SimWorker& w, const Message& m);
  // Sends what the core asked for, checks its conduct, traces its events.
  void dispatch(SimWorker& w, const worker::Output& out);
  void propose_adversarial(SimWorker& w, const worker::Belief& b);
  int64_t local_now(const SimWorker& w) const { return now_ms_ + w.skew_ms; }
  bool faults_on() const { return safety_ && plan_.msg_loss_ppm + plan_.pause_ppm > 0; }
  bool may_split() const;

  static constexpr coord::TenantId kTenant = 1;
  static constexpr coord::RunId kRun = 1;

  SimConfig cfg_;
  uint64_t seed_;
  FaultPlan plan_;
  Stats stats_;
  Trace trace_;
  Rng root_;
  Rng fault_rng_;
  GroundTruth truth_;
  FindingsStore findings_;
  coord::MemoryStore memory_;
  Checker checker_;
  FaultyStore store_;
  coord::Coordinator coord_;
  Network net_;
  std::vector<SimWorker> workers_;  // index 0..W-1 are workers, W is the admin
  Conduct conduct_;
  worker::Output out_;                     // reused for every step of every core
  std::vector<uint32_t> recent_requests_;  // ring of slots of recent coordinator requests, for stale replays
  size_t recent_next_ = 0;
  int64_t now_ms_ = 0;
  bool safety_ = true;
  // Per-tick faults are scheduled: each fires on average once every kPpm/ppm ticks
  // (uniform gaps), which keeps the integer probability while letting idle time pass
  // in one jump. Index: Fault value; unused kinds stay at INT64_MAX.
  std::array<int64_t, kFaultCount> next_fault_ms_{};
  int64_t next_fault_min_ms_ = INT64_MAX;  // the earliest of next_fault_ms_
  void refresh_fault_min();
  uint64_t model_violations_seen_ = 0;
};

}  // namespace squall::sim
