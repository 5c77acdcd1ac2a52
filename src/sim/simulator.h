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
// Workers keep their own beliefs (leases they think they hold, with local deadlines on
// skewed clocks) and talk to the coordinator only through the simulated network.
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
#include "sim/config.h"
#include "sim/faulty_store.h"
#include "sim/ground_truth.h"
#include "sim/network.h"
#include "sim/recycled.h"
#include "sim/stats.h"
#include "sim/trace.h"

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

struct Belief {
  coord::ShardId shard = 0;
  uint64_t fence = 0;
  coord::KeyRange spec;
  coord::Cursor cursor;
  int64_t local_deadline_ms = 0;
  // Where the next batch starts and the range's items end, as item indices, guessed
  // when a batch starts (right if its checkpoint lands); GroundTruth checks the guess.
  std::pair<size_t, size_t> next_items{1, 0};
};

// A processed batch whose findings must be durable before the cursor may pass it.
struct Batch {
  coord::ShardId shard = 0;
  uint64_t fence = 0;
  std::string last_key;
  std::vector<uint32_t> findings;
  bool committed = false;

  // For Recycled: every field back to its default, keeping the buffers.
  void clear_for_reuse() {
    shard = 0;
    fence = 0;
    last_key.clear();
    findings.clear();
    committed = false;
  }
};

struct Outstanding {
  bool to_store = false;  // a findings commit rather than a coordinator op
  uint64_t req_id = 0;
  coord::Request request;
  std::vector<uint32_t> items;
  int64_t sent_local_ms = 0;
  int retries = 0;

  // For Recycled: every field back to its default, keeping the buffers (the request
  // keeps its alternative: every sender assigns a new one).
  void clear_for_reuse() {
    to_store = false;
    req_id = 0;
    items.clear();
    sent_local_ms = 0;
    retries = 0;
  }
};

struct SimWorker {
  int node = 0;
  coord::WorkerId id = 0;
  Rng rng{0};
  uint32_t incarnation = 0;
  uint32_t op_counter = 0;
  uint64_t next_req = 1;
  std::vector<Belief> beliefs;
  // The earliest local_deadline_ms of the beliefs (INT64_MAX with none), kept by
  // refresh_deadline() whenever beliefs change: the step loop asks every worker when
  // it is next due, on every step.
  int64_t deadline_min_ms = INT64_MAX;
  Recycled<Outstanding> out;
  Recycled<Batch> batch;
  int64_t skew_ms = 0;
  int64_t paused_until_ms = 0;
  int64_t crashed_until_ms = 0;  // > 0 while down
  int64_t no_renew_until_ms = 0;
  int64_t busy_until_ms = 0;
  bool admin = false;
  // wake_time() as last computed, refreshed whenever the simulator changes this
  // worker (it acts, a message reaches it, a fault hits it, a phase ends). Between
  // changes wake_time() is constant while `now` stays below it, so the step loop reads
  // this instead of recomputing it for every worker on every step; a value at or
  // below `now` is confirmed with due() before the worker acts.
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
  // wake_time(w) <= now for a worker that is neither down nor paused, without
  // computing the time.
  bool due(const SimWorker& w) const;
  void refresh_wakes();
  // When the worker's belief expiry (on the global clock) next comes; INT64_MAX with none.
  static int64_t belief_expiry(const SimWorker& w) {
    return w.admin || w.deadline_min_ms == INT64_MAX ? INT64_MAX : w.deadline_min_ms - w.skew_ms;
  }
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
  void worker_act(SimWorker& w);
  void worker_reply(SimWorker& w, uint64_t req_id, const coord::Reply& reply);
  // Acts on the reply to o (which is *w.out); true when o was re-sent and stays
  // outstanding (resend may also have given up on it).
  bool handle_reply(SimWorker& w, const Outstanding& o, const coord::Reply& reply);
  void worker_ack(SimWorker& w, uint64_t req_id);
  void send_request(SimWorker& w, coord::Request&& req);
  // Sends (a copy of) o's request or findings, built in a network slot.
  void send_to_coordinator(const SimWorker& w, const Outstanding& o);
  void send_commit(SimWorker& w, const std::vector<uint32_t>& items, bool tracked);
  void resend(SimWorker& w);
  void choose_lease_action(SimWorker& w, Belief& b);
  void start_batch(SimWorker& w, Belief& b);
  bool propose_split(SimWorker& w, const Belief& b);
  bool propose_residual(SimWorker& w, const Belief& b);
  void propose_adversarial(SimWorker& w, const Belief& b);
  void crash(SimWorker& w);
  void drop_belief(SimWorker& w, coord::ShardId shard);
  void refresh_deadline(SimWorker& w);
  Belief* belief_for(SimWorker& w, coord::ShardId shard);
  coord::OpId next_op_id(SimWorker& w);
  coord::LeaseToken token(const SimWorker& w, const Belief& b) const;
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
  std::vector<SimWorker> workers_;         // index 0..W-1 are workers, W is the admin
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
