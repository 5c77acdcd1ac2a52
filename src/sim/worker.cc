// The simulator's side of its workers: building the worker cores, driving them on
// virtual time through the simulated network, checking their conduct, and the
// adversary (requests a correct coordinator must reject, sent in a worker's name). The
// worker's own logic lives in src/worker.
#include <fmt/format.h>

#include "core/assert.h"
#include "sim/describe.h"
#include "sim/simulator.h"

namespace squall::sim {

namespace {

// Per action of an idle worker holding a lease, in the safety phase.
constexpr uint64_t kAdversaryOdds = 25;

}  // namespace

void Simulator::make_workers() {
  for (int i = 0; i <= cfg_.workers; ++i) {
    SimWorker w;
    w.node = i + 1;
    w.id = static_cast<coord::WorkerId>(i + 1);
    w.admin = i == cfg_.workers;
    w.source = std::make_unique<TruthSource>(&truth_, &stats_);
    worker::Config wc;
    wc.tenant = kTenant;
    wc.run = kRun;
    wc.id = w.id;
    wc.seed = root_.fork(fmt::format("worker-{}", w.id)).seed();
    wc.lease_duration_ms = cfg_.lease_duration_ms;
    wc.request_timeout_ms = cfg_.request_timeout_ms;
    wc.leases_max = cfg_.leases_per_worker_max;
    wc.page_pause_ms_min = 1;  // processing a page takes time
    wc.page_pause_ms_max = 6;
    wc.autonomous = !w.admin;
    if (!w.admin) wc.faults = cfg_.worker_faults;
    w.core = std::make_unique<worker::Core>(wc, w.source.get());
    w.rng = root_.fork(fmt::format("{}-{}", w.admin ? "admin" : "adversary", w.id));
    workers_.push_back(std::move(w));
  }
}

void Simulator::dispatch(SimWorker& w, const worker::Output& out) {
  for (const worker::Send& s : out.sends) {
    const uint32_t slot = net_.reserve();
    Message& m = net_.message(slot);
    m.from = w.node;
    m.to = kCoordinatorNode;
    m.req_id = s.req_id;
    if (s.kind == worker::Send::Kind::Findings) {
      Network::body_as<CommitMsg>(m).writes = *s.findings;
    } else {
      stats_.count_check(Invariant::WorkerConduct);
      if (auto bad = conduct_.on_send(w.node, s.req_id, *s.request)) checker_.worker_conduct(std::move(*bad), now_ms_);
      Network::body_as<CoordRequestMsg>(m).request = *s.request;
    }
    net_.send_reserved(slot, now_ms_, faults_on());
  }
  for (const worker::Event& e : out.events) {
    if (e.kind == worker::Event::Kind::GaveUp) tracef("n{} gives up on req {}", w.node, e.req_id);
  }
}

void Simulator::worker_receive(SimWorker& w, const Message& m) {
  const int64_t local = local_now(w);
  if (auto* reply = std::get_if<CoordReplyMsg>(&m.body)) {
    if (w.core->outstanding() == m.req_id && w.core->outstanding_request() != nullptr)
      conduct_.on_answer(w.node, *w.core->outstanding_request(), reply->reply);
    w.core->step(worker::Input::answer(local, m.req_id, reply->reply), &out_);
  } else if (std::holds_alternative<CommitAckMsg>(m.body)) {
    w.core->step(worker::Input::findings_ack(local, m.req_id), &out_);
  } else {
    return;
  }
  dispatch(w, out_);
}

void Simulator::worker_act(SimWorker& w) {
  const int64_t local = local_now(w);
  worker::Core& core = *w.core;
  core.set_policy(worker::Policy{may_split(), safety_, now_ms_ >= w.no_renew_until_ms});
  if (safety_ && !core.beliefs().empty() && core.can_submit(local) && w.rng.chance(1, kAdversaryOdds)) {
    propose_adversarial(w, core.beliefs()[w.rng.below(core.beliefs().size())]);
    return;
  }
  core.step(worker::Input::timer(local), &out_);
  dispatch(w, out_);
}

// Requests a correct coordinator must reject; under a mutation some get through. The
// worker's core sends them as its own, so their answers reach it like any other.
void Simulator::propose_adversarial(SimWorker& w, const worker::Belief& b) {
  worker::Core& core = *w.core;
  const coord::LeaseToken t = core.token(b);
  const auto& items = truth_.items();
  std::optional<coord::Request> req;
  switch (w.rng.below(6)) {
    case 0:  // cursor regression (the belief never runs ahead of the record)
      if (!b.cursor.last_key.empty()) {
        auto [lo, hi] = truth_.within(b.spec);
        (void)hi;
        std::string back = lo < items.size() && items[lo].key < b.cursor.last_key ? items[lo].key : b.spec.start;
        if (!back.empty() && back < b.cursor.last_key) {
          req = coord::CheckpointOp{t, {back, "regress"}, core.next_op_id()};
          break;
        }
      }
      [[fallthrough]];
    case 1:  // cursor beyond the range
      if (!b.spec.end.empty()) {
        req = coord::CheckpointOp{t, {b.spec.end + "0", "oob"}, core.next_op_id()};
        break;
      }
      [[fallthrough]];
    case 2: {  // split with a gap
      auto [lo, hi] = truth_.within(b.spec);
      if (hi - lo >= 3) {
        const std::string& a = items[lo + 1].key;
        const std::string& c = items[hi - 1].key;
        if (a > b.spec.start && a < c) {
          req = coord::SplitReplaceOp{t, {{b.spec.start, a}, {c, b.spec.end}}, core.next_op_id()};
          break;
        }
      }
      [[fallthrough]];
    }
    case 3: {  // residual with a gap
      auto [lo, hi] = truth_.remaining(b.spec, b.cursor.last_key);
      if (hi - lo >= 3) {
        const std::string& a = items[lo + 1].key;
        const std::string& c = items[lo + 2].key;
        req = coord::SplitResidualOp{t, {b.spec.start, a}, {c, b.spec.end}, core.next_op_id()};
        break;
      }
      [[fallthrough]];
    }
    case 4: {  // renew with an old fence
      coord::LeaseToken old = t;
      old.fence = t.fence > 1 ? t.fence - 1 : t.fence + 1;
      req = coord::RenewOp{old};
      break;
    }
    default: {  // acquire a shard someone else may hold
      const auto& ids = checker_.shard_ids();
      const coord::ShardId target = ids[w.rng.below(ids.size())];
      req = coord::AcquireOp{coord::ShardRef{kTenant, kRun, target}, w.id};
      break;
    }
  }
  core.submit(local_now(w), std::move(*req), &out_);
  for (const worker::Send& s : out_.sends) conduct_.exempt(w.node, s.req_id);
  dispatch(w, out_);
}

}  // namespace squall::sim
