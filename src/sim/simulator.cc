#include "sim/simulator.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "sim/describe.h"

namespace squall::sim {

namespace {

constexpr size_t kRecentRequests = 64;

GroundTruth make_truth(const Rng& root, int shards) {
  Rng r = root.fork("truth");
  return GroundTruth(&r, shards);
}

ReplyClass reply_class_of(const coord::Reply& r) {
  if (r.ok()) return r->replayed ? ReplyClass::Replayed : ReplyClass::Ok;
  switch (r.error().code) {
    case coord::CoordErrc::Unavailable:
    case coord::CoordErrc::Indeterminate:
    case coord::CoordErrc::Contention: return ReplyClass::BackendError;
    default: return ReplyClass::Rejected;
  }
}

}  // namespace

Simulator::Simulator(const SimConfig& cfg, uint64_t seed, const TraceOptions& trace)
    : cfg_(cfg),
      seed_(seed),
      plan_(fault_plan_for_level(cfg.level)),
      trace_(trace.enabled ? Trace(trace.tail_lines, trace.sink) : Trace()),
      root_(seed),
      fault_rng_(root_.fork("faults")),
      truth_(make_truth(root_, cfg.shards)),
      findings_(truth_.items().size()),
      checker_(cfg_, &truth_, &findings_, &memory_, kRun, &stats_),
      store_(&memory_, root_.fork("store"), plan_, &stats_),
      coord_(&store_, cfg.mutations, coord::InvariantPolicy::Report),
      net_(root_.fork("network"), cfg_, plan_, &stats_, cfg.workers + 2),
      conduct_(cfg.workers + 2) {
  SQ_ASSERT(cfg.workers >= 2 && cfg.workers <= 64);
  SQ_ASSERT(cfg.shards >= 1 && cfg.shards <= 1000);
  cfg_.seed = seed;
  memory_.set_observer(&checker_);
  make_workers();
}

coord::Reply Simulator::apply(const coord::Request& req, int from_node) {
  checker_.begin(&req, now_ms_);
  coord::Reply reply = coord_.apply(req, now_ms_);
  checker_.end();
  ++stats_.coord_ops;
  stats_.count_op(coord::kind_of(req), reply_class_of(reply));
  if (coord_.invariant_violations() != model_violations_seen_) {
    model_violations_seen_ = coord_.invariant_violations();
    checker_.model_assertion(coord_.first_violation(), now_ms_);
  }
  if (trace_.enabled()) {  // the arguments themselves cost: describe() formats
    tracef("coord <- {} {} => {}", from_node == 0 ? std::string("setup") : fmt::format("n{}", from_node), describe(req),
           describe(reply));
  }
  return reply;
}

void Simulator::setup() {
  tracef("seed {} level {} ({}) workers {} shards {} steps {}{}", seed_, cfg_.level, level_name(cfg_.level),
         cfg_.workers, cfg_.shards, cfg_.steps,
         cfg_.mutation_name.empty() ? std::string() : " mutation " + cfg_.mutation_name);
  coord::CreateRunOp create{kTenant, kRun, coord::RunConfig{cfg_.lease_duration_ms, cfg_.claim_cooldown_ms}};
  SQ_ASSERT(apply(coord::Request{create}, 0).ok());
  coord::RegisterShardsOp reg{kTenant, kRun, {}, 1};
  for (int i = 0; i < truth_.root_count(); ++i)
    reg.shards.push_back(coord::RootSpec{static_cast<coord::ShardId>(i + 1), truth_.root_range(i)});
  SQ_ASSERT(apply(coord::Request{reg}, 0).ok());
}

// acquire → expire → another worker acquires → the first one's stale checkpoint must be
// rejected; then the first re-acquires and a write from its older tenure (same owner,
// older fence) must be rejected too.
void Simulator::preamble() {
  trace("preamble: zombie scenario on s1");
  const coord::ShardRef s1{kTenant, kRun, 1};
  const coord::WorkerId a = workers_[0].id;
  const coord::WorkerId b = workers_[1].id;
  auto first = apply(coord::Request{coord::AcquireOp{s1, a}}, workers_[0].node);
  SQ_ASSERT(first.ok());
  const uint64_t old_fence = first->fence;
  auto [lo, hi] = truth_.within(truth_.root_range(0));
  const std::string key = lo < hi ? truth_.items()[lo].key : truth_.root_range(0).end;
  now_ms_ += cfg_.lease_duration_ms;
  SQ_ASSERT(apply(coord::Request{coord::AcquireOp{s1, b}}, workers_[1].node).ok());
  coord::CheckpointOp stale{coord::LeaseToken{s1, a, old_fence}, coord::Cursor{key, "zombie"}, 0xdead0001};
  (void)apply(coord::Request{stale}, workers_[0].node);
  if (violated()) return;
  now_ms_ += cfg_.lease_duration_ms;
  SQ_ASSERT(apply(coord::Request{coord::AcquireOp{s1, a}}, workers_[0].node).ok());
  stale.op_id = 0xdead0002;
  (void)apply(coord::Request{stale}, workers_[0].node);
  now_ms_ += cfg_.lease_duration_ms;
}

bool Simulator::may_split() const {
  return safety_ && checker_.shard_ids().size() < static_cast<size_t>(cfg_.shards * cfg_.shards_max_factor);
}

namespace {

constexpr Fault kScheduledFaults[] = {Fault::Partition,   Fault::Pause, Fault::TimeJump,   Fault::ClockSkew,
                                      Fault::LeaseExpiry, Fault::Crash, Fault::StaleReplay};

uint32_t ppm_of(const FaultPlan& p, Fault f) {
  switch (f) {
    case Fault::Partition: return p.partition_ppm;
    case Fault::Pause: return p.pause_ppm;
    case Fault::TimeJump: return p.time_jump_ppm;
    case Fault::ClockSkew: return p.skew_ppm;
    case Fault::LeaseExpiry: return p.lease_expiry_ppm;
    case Fault::Crash: return p.crash_ppm;
    case Fault::StaleReplay: return p.replay_ppm;
    default: return 0;
  }
}

}  // namespace

void Simulator::schedule_faults() {
  for (auto& t : next_fault_ms_) t = INT64_MAX;
  for (Fault f : kScheduledFaults) {
    const uint32_t ppm = ppm_of(plan_, f);
    if (ppm == 0) continue;
    const int64_t mean_ticks = std::max<int64_t>(1, kPpm / ppm);
    next_fault_ms_[static_cast<size_t>(f)] = now_ms_ + cfg_.tick_ms * fault_rng_.range(1, 2 * mean_ticks - 1);
  }
  refresh_fault_min();
}

void Simulator::refresh_fault_min() {
  next_fault_min_ms_ = INT64_MAX;
  for (int64_t t : next_fault_ms_) next_fault_min_ms_ = std::min(next_fault_min_ms_, t);
}

void Simulator::inject_faults() {
  // None due: nothing below would fire (a time jump, which moves `now` on, fires only
  // when due itself).
  if (!faults_on() || next_fault_min_ms_ > now_ms_) return;
  Rng& r = fault_rng_;
  const int64_t lease = cfg_.lease_duration_ms;
  auto pick = [&]() -> SimWorker& { return workers_[r.below(static_cast<uint64_t>(cfg_.workers))]; };
  for (Fault f : kScheduledFaults) {
    int64_t& due = next_fault_ms_[static_cast<size_t>(f)];
    if (due > now_ms_) continue;
    const int64_t mean_ticks = std::max<int64_t>(1, kPpm / ppm_of(plan_, f));
    due = now_ms_ + cfg_.tick_ms * r.range(1, 2 * mean_ticks - 1);
    switch (f) {
      case Fault::Partition: {
        SimWorker& w = pick();
        const int64_t until = now_ms_ + r.range(20, 2 * lease);
        const uint64_t dir = r.below(3);
        net_.cut(w.node, until, dir != 2, dir != 1);
        stats_.count_fault(f);
        tracef("FAULT partition n{} {} coordinator until {}ms", w.node, dir == 0 ? "<->" : (dir == 1 ? "->" : "<-"),
               until);
        break;
      }
      case Fault::Pause: {
        SimWorker& w = pick();
        w.paused_until_ms = now_ms_ + r.range(lease / 2, 3 * lease);
        stats_.count_fault(f);
        tracef("FAULT pause n{} until {}ms", w.node, w.paused_until_ms);
        break;
      }
      case Fault::TimeJump: {
        const int64_t jump = r.range(lease / 3, 2 * lease);
        now_ms_ += jump;
        stats_.count_fault(f);
        tracef("FAULT time jumps forward {}ms", jump);
        break;
      }
      case Fault::ClockSkew: {
        SimWorker& w = pick();
        w.skew_ms = r.range(-lease / 2, lease / 2);
        stats_.count_fault(f);
        tracef("FAULT clock skew n{} {:+}ms", w.node, w.skew_ms);
        break;
      }
      case Fault::LeaseExpiry: {
        SimWorker& w = pick();
        w.no_renew_until_ms = now_ms_ + r.range(lease, 2 * lease);
        stats_.count_fault(f);
        tracef("FAULT n{} stops renewing until {}ms", w.node, w.no_renew_until_ms);
        break;
      }
      case Fault::Crash: {
        SimWorker& w = pick();
        if (w.crashed_until_ms == 0) {
          // The core loses its state when it restarts (nothing reaches it while down).
          w.crashed_until_ms = now_ms_ + r.range(10, lease);
          stats_.count_fault(f);
          tracef("FAULT crash n{} restarts at {}ms", w.node, w.crashed_until_ms);
        }
        break;
      }
      case Fault::StaleReplay: {
        if (recent_requests_.empty()) break;
        Message m = net_.message(recent_requests_[r.below(recent_requests_.size())]);
        stats_.count_fault(f);
        tracef("FAULT stale replay of n{} req {}", m.from, m.req_id);
        net_.requeue(std::move(m), now_ms_ + 1);
        break;
      }
      default: break;
    }
  }
  refresh_fault_min();
  refresh_wakes();  // faults change workers (pauses, skew, crashes)
}

void Simulator::refresh_wakes() {
  for (auto& w : workers_) w.wake_ms = wake_time(w);
}

void Simulator::end_safety_phase() {
  safety_ = false;
  store_.set_faults(false);
  net_.heal();
  for (auto& w : workers_) {
    w.paused_until_ms = 0;
    w.skew_ms = 0;
    w.no_renew_until_ms = 0;
  }
  refresh_wakes();
  trace("phase: liveness (faults off, partitions healed, clocks synced)");
}

bool Simulator::at_coordinator(uint32_t slot) {
  const Message& m = net_.message(slot);
  bool kept = false;
  if (auto* req = std::get_if<CoordRequestMsg>(&m.body)) {
    // Stale replays pick from the last kRecentRequests requests. The ring keeps their
    // network slots (not released while in it) rather than copies of the messages:
    // copying every request cost more than the rare replay that reads one.
    if (plan_.replay_ppm == 0) {
      // No stale replays at this level.
    } else if (recent_requests_.size() < kRecentRequests) {
      recent_requests_.push_back(slot);
      kept = true;
    } else {
      net_.release(recent_requests_[recent_next_]);
      recent_requests_[recent_next_] = slot;
      recent_next_ = (recent_next_ + 1) % kRecentRequests;
      kept = true;
    }
    // The reply is built in a network slot (m stays valid: slots never move).
    const uint32_t reply_slot = net_.reserve();
    Message& out = net_.message(reply_slot);
    out.from = kCoordinatorNode;
    out.to = m.from;
    out.req_id = m.req_id;
    if (auto* body = std::get_if<CoordReplyMsg>(&out.body)) {
      body->reply = apply(req->request, m.from);
    } else {
      out.body.emplace<CoordReplyMsg>(CoordReplyMsg{apply(req->request, m.from)});
    }
    net_.send_reserved(reply_slot, now_ms_, faults_on());
  } else if (auto* commit = std::get_if<CommitMsg>(&m.body)) {
    for (const worker::FindingWrite& f : commit->writes) {
      const std::optional<size_t> item = truth_.index_of(f.finding.item_key);
      SQ_ASSERT_MSG(item.has_value(), "a finding names an item the ground truth does not have");
      if (findings_.write(f.id, *item)) ++stats_.findings_deduplicated;
    }
    tracef("store <- n{} commit {} findings", m.from, commit->writes.size());
    if (m.req_id != 0)
      net_.send(Message{kCoordinatorNode, m.from, m.req_id, 0, 0, CommitAckMsg{}}, now_ms_, faults_on());
  }
  return kept;
}

// Hands the message in `slot` to its recipient and releases the slot (or defers it
// while the recipient is paused).
void Simulator::deliver(uint32_t slot) {
  const Message& m = net_.message(slot);
  if (m.to == kCoordinatorNode) {
    if (!at_coordinator(slot)) net_.release(slot);
    return;
  }
  SimWorker& w = workers_[static_cast<size_t>(m.to - 1)];
  if (w.crashed_until_ms > 0) {  // the process is down: the message is lost
    net_.release(slot);
    return;
  }
  if (w.paused_until_ms > now_ms_) {
    net_.defer(slot, w.paused_until_ms);  // delivered when the pause ends
    return;
  }
  worker_receive(w, m);
  w.wake_ms = wake_time(w);
  net_.release(slot);
}

void Simulator::admin_act(SimWorker& a) {
  worker::Core& core = *a.core;
  if (core.outstanding()) {
    core.step(worker::Input::timer(now_ms_), &out_);  // re-sends on timeout
    dispatch(a, out_);
    return;
  }
  if (a.admin_busy_until_ms > now_ms_) return;
  a.admin_busy_until_ms = now_ms_ + (safety_ ? a.rng.range(20, 200) : 10);
  // The checker's counters say whether a scan can find anything (the admin polls often).
  for (size_t i = 0; checker_.parked_count() > 0 && i < checker_.shard_ids().size(); ++i) {
    const coord::ShardId id = checker_.shard_ids()[i];
    const coord::ShardRecord* r = checker_.shard(id);
    if (r->status == coord::ShardStatus::Parked) {
      core.submit(now_ms_, coord::UnparkOp{coord::ShardRef{kTenant, kRun, id}, core.next_op_id()}, &out_);
      dispatch(a, out_);
      return;
    }
  }
  if (!safety_ && checker_.unfinished_count() == 0 && checker_.run() &&
      checker_.run()->status != coord::RunStatus::Done) {
    core.submit(now_ms_, coord::FinishRunOp{kTenant, kRun, core.next_op_id()}, &out_);
    dispatch(a, out_);
  }
}

int64_t Simulator::wake_time(const SimWorker& w) const {
  if (w.crashed_until_ms > 0) return safety_ ? w.crashed_until_ms : now_ms_;
  if (w.paused_until_ms > now_ms_) return w.paused_until_ms;
  const worker::Core& core = *w.core;
  if (w.admin && !core.outstanding()) return std::max(w.admin_busy_until_ms, now_ms_);
  // The core's times are on the worker's clock; "at or before its last now" is at once
  // (the skew may have changed since).
  const int64_t t = core.wake_at();
  if (t <= core.last_now_ms()) return now_ms_;
  return t == INT64_MAX ? t : t - w.skew_ms;
}

bool Simulator::step(int64_t limit_ms) {
  // The next tick at which anything can happen; at least one tick ahead.
  // Anything due within one tick pins the step to the next tick, so the search stops
  // there.
  const int64_t next_tick = now_ms_ + cfg_.tick_ms;
  int64_t next = net_.next_time();
  for (const auto& w : workers_) {
    if (next <= next_tick) break;
    next = std::min(next, w.wake_ms);
  }
  if (next > next_tick && faults_on()) {
    next = std::min(next, next_fault_min_ms_);
  }
  now_ms_ = std::min(std::max(next, next_tick), limit_ms);
  ++stats_.steps;
  if (safety_) inject_faults();
  uint32_t slot = 0;
  while (net_.pop_due(now_ms_, &slot)) {
    deliver(slot);
    if (violated()) return false;
  }
  for (auto& w : workers_) {
    // Most workers are not due. The cached wake time covers down and paused workers
    // too: it is their restart or resume time, so this skips exactly those the checks
    // below would skip.
    if (w.wake_ms > now_ms_) continue;
    if (w.crashed_until_ms > 0) {
      if (now_ms_ < w.crashed_until_ms && safety_) continue;
      w.crashed_until_ms = 0;
      ++w.incarnation;
      w.core->restart(w.incarnation);
      tracef("n{} restarts (incarnation {})", w.node, w.incarnation);
    }
    if (w.paused_until_ms > now_ms_) continue;
    w.wake_ms = wake_time(w);
    if (w.wake_ms > now_ms_) continue;
    if (w.admin) {
      admin_act(w);
    } else {
      worker_act(w);
    }
    w.wake_ms = wake_time(w);
    if (violated()) return false;
  }
  return !violated();
}

SeedResult Simulator::run() {
  setup();
  preamble();
  bool ok = !violated();
  store_.set_faults(plan_.commit_fail_ppm + plan_.commit_ambiguous_ppm > 0);
  if (ok) tracef("phase: safety ({} ticks, level {} {})", cfg_.steps, cfg_.level, level_name(cfg_.level));
  schedule_faults();
  refresh_wakes();
  const int64_t safety_end = now_ms_ + cfg_.steps * cfg_.tick_ms;
  while (ok && now_ms_ < safety_end) ok = step(safety_end);
  if (ok) {
    end_safety_phase();
    const int64_t liveness_end = now_ms_ + cfg_.liveness_steps_max * cfg_.tick_ms;
    while (ok && !(checker_.run() && checker_.run()->status == coord::RunStatus::Done) && now_ms_ < liveness_end)
      ok = step(liveness_end);
    if (ok) checker_.check_final(now_ms_);
  }
  SeedResult res;
  res.seed = seed_;
  res.passed = !violated();
  res.violations = checker_.violations();
  for (const auto& v : res.violations) {
    tracef("VIOLATION {}: {}", to_string(v.invariant), v.detail);
  }
  stats_.simulated_ms = now_ms_;
  res.stats = stats_;
  res.trace_hash = trace_.enabled() ? trace_.hash() : 0;
  res.trace_lines = trace_.lines();
  res.trace_tail.assign(trace_.tail().begin(), trace_.tail().end());
  return res;
}

SeedResult run_seed(const SimConfig& cfg, uint64_t seed, const TraceOptions& trace) {
  Simulator sim(cfg, seed, trace);
  return sim.run();
}

}  // namespace squall::sim
