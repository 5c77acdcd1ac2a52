// The simulated worker: beliefs, the weighted op generator, request retries, and how
// replies update beliefs. A correct worker only writes under a lease it believes live
// by its own (possibly skewed) clock, makes findings durable before advancing its
// cursor, and retries ambiguous operations with the same op_id.
#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "sim/describe.h"
#include "sim/simulator.h"

namespace squall::sim {

using coord::CoordErrc;

namespace {

constexpr int kRetriesMax = 4;
constexpr size_t kBatchMax = 8;

}  // namespace

coord::OpId Simulator::next_op_id(SimWorker& w) {
  // Unique across workers and incarnations: a restarted worker must not reuse op_ids.
  return (static_cast<coord::OpId>(w.id) << 48) | (static_cast<coord::OpId>(w.incarnation & 0xffff) << 32) |
         ++w.op_counter;
}

coord::LeaseToken Simulator::token(const SimWorker& w, const Belief& b) const {
  return coord::LeaseToken{coord::ShardRef{kTenant, kRun, b.shard}, w.id, b.fence};
}

Belief* Simulator::belief_for(SimWorker& w, coord::ShardId shard) {
  for (auto& b : w.beliefs) {
    if (b.shard == shard) return &b;
  }
  return nullptr;
}

void Simulator::refresh_deadline(SimWorker& w) {
  w.deadline_min_ms = INT64_MAX;
  for (const Belief& b : w.beliefs) w.deadline_min_ms = std::min(w.deadline_min_ms, b.local_deadline_ms);
}

void Simulator::drop_belief(SimWorker& w, coord::ShardId shard) {
  std::erase_if(w.beliefs, [&](const Belief& b) { return b.shard == shard; });
  refresh_deadline(w);
  if (w.batch && w.batch->shard == shard) w.batch.reset();
}

void Simulator::crash(SimWorker& w) {
  w.beliefs.clear();
  refresh_deadline(w);
  w.out.reset();
  w.batch.reset();
  w.busy_until_ms = 0;
}

void Simulator::send_request(SimWorker& w, coord::Request&& req) {
  // Built in place: the worker keeps the request (for retries), the message a copy.
  Outstanding& o = w.out.emplace();
  o.req_id = w.next_req++;
  o.request = std::move(req);
  o.sent_local_ms = local_now(w);
  send_to_coordinator(w, o);
}

void Simulator::send_to_coordinator(const SimWorker& w, const Outstanding& o) {
  const uint32_t slot = net_.reserve();
  Message& m = net_.message(slot);
  m.from = w.node;
  m.to = kCoordinatorNode;
  m.req_id = o.req_id;
  if (o.to_store) {
    Network::body_as<CommitMsg>(m).items = o.items;
  } else {
    Network::body_as<CoordRequestMsg>(m).request = o.request;
  }
  net_.send_reserved(slot, now_ms_, faults_on());
}

void Simulator::send_commit(SimWorker& w, const std::vector<uint32_t>& items, bool tracked) {
  if (tracked) {
    // Kept for retries; the message is built from it in a network slot.
    Outstanding& o = w.out.emplace();
    o.to_store = true;
    o.req_id = w.next_req++;
    o.items = items;
    o.sent_local_ms = local_now(w);
    send_to_coordinator(w, o);
    return;
  }
  const uint32_t slot = net_.reserve();
  Message& m = net_.message(slot);
  m.from = w.node;
  m.to = kCoordinatorNode;
  m.req_id = 0;
  Network::body_as<CommitMsg>(m).items = items;
  net_.send_reserved(slot, now_ms_, faults_on());
}

// Timeout: send the very same request again (same op_id), up to kRetriesMax times.
void Simulator::resend(SimWorker& w) {
  Outstanding& o = *w.out;
  if (++o.retries > kRetriesMax) {
    tracef("n{} gives up on req {}", w.node, o.req_id);
    if (o.to_store) w.batch.reset();  // the batch will be processed again
    w.out.reset();
    return;
  }
  o.sent_local_ms = local_now(w);
  send_to_coordinator(w, o);
}

void Simulator::worker_ack(SimWorker& w, uint64_t req_id) {
  if (!w.out || !w.out->to_store || w.out->req_id != req_id) return;  // stale or duplicate
  w.out.reset();
  if (w.batch) w.batch->committed = true;
}

void Simulator::worker_reply(SimWorker& w, uint64_t req_id, const coord::Reply& reply) {
  if (!w.out || w.out->to_store || w.out->req_id != req_id) return;  // stale or duplicate
  // The request is handled where it lies and dropped afterwards (nothing below looks
  // at w.out): moving it out first cost more than handling the reply.
  if (handle_reply(w, *w.out, reply)) return;
  w.out.reset();
}

bool Simulator::handle_reply(SimWorker& w, const Outstanding& o, const coord::Reply& reply) {
  const coord::Request& req = o.request;
  if (!reply.ok()) {
    const CoordErrc code = reply.code();
    switch (code) {
      case CoordErrc::Indeterminate:
      case CoordErrc::Unavailable:
      case CoordErrc::Contention:
        // Retry the same request: the op-log makes a repeated write harmless.
        resend(w);
        return true;
      case CoordErrc::StaleFence:
      case CoordErrc::LeaseExpired:
      case CoordErrc::ShardTerminal:
      case CoordErrc::ShardNotFound:
      case CoordErrc::TenantMismatch:
        if (coord::lease_of(req) != nullptr) drop_belief(w, coord::target_shard(req));
        return false;
      case CoordErrc::NoShardAvailable:
      case CoordErrc::ClaimCooldown:
      case CoordErrc::LeaseHeld: w.busy_until_ms = now_ms_ + w.rng.range(5, 40); return false;
      default:
        // Operation-check rejections (bad cursor, bad split) leave the lease as it was.
        if (std::holds_alternative<coord::CheckpointOp>(req) && w.batch) w.batch.reset();
        return false;
    }
  }
  const coord::OpResult& r = reply.value();
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, coord::ClaimNextOp> || std::is_same_v<T, coord::AcquireOp>) {
          drop_belief(w, r.shard);
          // The lease runs from the coordinator's `now`, which is after our send: counting
          // from the send time is conservative.
          w.beliefs.push_back(Belief{r.shard, r.fence, r.spec, r.cursor, o.sent_local_ms + cfg_.lease_duration_ms});
          refresh_deadline(w);
        } else if constexpr (std::is_same_v<T, coord::RenewOp>) {
          if (Belief* b = belief_for(w, op.lease.ref.shard); b && b->fence == op.lease.fence) {
            b->local_deadline_ms = o.sent_local_ms + cfg_.lease_duration_ms;
            refresh_deadline(w);
          }
        } else if constexpr (std::is_same_v<T, coord::CheckpointOp>) {
          if (Belief* b = belief_for(w, op.lease.ref.shard); b && b->fence == op.lease.fence) b->cursor = op.cursor;
          if (w.batch && w.batch->shard == op.lease.ref.shard && w.batch->last_key == op.cursor.last_key)
            w.batch.reset();
        } else if constexpr (std::is_same_v<T, coord::SplitResidualOp>) {
          if (Belief* b = belief_for(w, op.lease.ref.shard); b && b->fence == op.lease.fence) b->spec = op.new_parent;
        } else if constexpr (std::is_same_v<T, coord::CompleteOp> || std::is_same_v<T, coord::ParkOp> ||
                             std::is_same_v<T, coord::SplitReplaceOp>) {
          drop_belief(w, op.lease.ref.shard);
        }
      },
      req);
  return false;
}

void Simulator::start_batch(SimWorker& w, Belief& b) {
  auto [lo, hi] = truth_.remaining(b.spec, b.cursor.last_key, b.next_items);
  if (lo == hi) {
    send_request(w, coord::Request{coord::CompleteOp{token(w, b), coord::Cursor{}, next_op_id(w)}});
    return;
  }
  const size_t n = std::min<size_t>(hi - lo, static_cast<size_t>(w.rng.range(1, kBatchMax)));
  Batch& batch = w.batch.emplace();
  batch.shard = b.shard;
  batch.fence = b.fence;
  for (size_t i = lo; i < lo + n; ++i) {
    truth_.mark_processed(i);
    ++stats_.items_processed;
    if (truth_.items()[i].finding) batch.findings.push_back(static_cast<uint32_t>(i));
  }
  batch.last_key = truth_.items()[lo + n - 1].key;
  b.next_items = {lo + n, hi};
  batch.committed = batch.findings.empty();
  w.busy_until_ms = now_ms_ + w.rng.range(1, 6);  // processing takes time
}

bool Simulator::propose_split(SimWorker& w, const Belief& b) {
  auto [lo, hi] = truth_.within(b.spec);
  // Candidate cuts as item indices, not key copies: the shuffle draws the same numbers
  // either way, and items are sorted by key, so sorting indices sorts the keys.
  std::vector<uint32_t> cuts;
  for (size_t i = lo; i < hi; ++i) {
    if (truth_.items()[i].key > b.spec.start) cuts.push_back(static_cast<uint32_t>(i));
  }
  const size_t want = static_cast<size_t>(w.rng.range(1, 3));  // 2..4 children
  if (cuts.size() < want) return false;
  w.rng.shuffle(cuts.begin(), cuts.end());
  cuts.resize(want);
  std::sort(cuts.begin(), cuts.end());
  std::vector<coord::KeyRange> kids;
  std::string pos = b.spec.start;
  for (uint32_t c : cuts) {
    const std::string& key = truth_.items()[c].key;
    kids.push_back({pos, key});
    pos = key;
  }
  kids.push_back({pos, b.spec.end});
  w.rng.shuffle(kids.begin(), kids.end());  // the coordinator must not rely on order
  send_request(w, coord::Request{coord::SplitReplaceOp{token(w, b), std::move(kids), next_op_id(w)}});
  return true;
}

bool Simulator::propose_residual(SimWorker& w, const Belief& b) {
  auto [lo, hi] = truth_.remaining(b.spec, b.cursor.last_key);
  if (hi - lo < 2) return false;
  // Keep at least the next item in the parent; cut at a later one.
  const size_t at = static_cast<size_t>(w.rng.range(static_cast<int64_t>(lo) + 1, static_cast<int64_t>(hi) - 1));
  const std::string& cut = truth_.items()[at].key;
  if (cut <= b.spec.start) return false;
  send_request(
      w, coord::Request{coord::SplitResidualOp{token(w, b), {b.spec.start, cut}, {cut, b.spec.end}, next_op_id(w)}});
  return true;
}

// Requests a correct coordinator must reject; under a mutation some get through.
void Simulator::propose_adversarial(SimWorker& w, const Belief& b) {
  const coord::LeaseToken t = token(w, b);
  switch (w.rng.below(6)) {
    case 0:  // cursor regression (the belief never runs ahead of the record)
      if (!b.cursor.last_key.empty()) {
        auto [lo, hi] = truth_.within(b.spec);
        (void)hi;
        std::string back = lo < truth_.items().size() && truth_.items()[lo].key < b.cursor.last_key
                               ? truth_.items()[lo].key
                               : b.spec.start;
        if (!back.empty() && back < b.cursor.last_key) {
          send_request(w, coord::Request{coord::CheckpointOp{t, {back, "regress"}, next_op_id(w)}});
          return;
        }
      }
      [[fallthrough]];
    case 1:  // cursor beyond the range
      if (!b.spec.end.empty()) {
        send_request(w, coord::Request{coord::CheckpointOp{t, {b.spec.end + "0", "oob"}, next_op_id(w)}});
        return;
      }
      [[fallthrough]];
    case 2: {  // split with a gap
      auto [lo, hi] = truth_.within(b.spec);
      if (hi - lo >= 3) {
        const std::string& a = truth_.items()[lo + 1].key;
        const std::string& c = truth_.items()[hi - 1].key;
        if (a > b.spec.start && a < c) {
          send_request(w,
                       coord::Request{coord::SplitReplaceOp{t, {{b.spec.start, a}, {c, b.spec.end}}, next_op_id(w)}});
          return;
        }
      }
      [[fallthrough]];
    }
    case 3: {  // residual with a gap
      auto [lo, hi] = truth_.remaining(b.spec, b.cursor.last_key);
      if (hi - lo >= 3) {
        const std::string& a = truth_.items()[lo + 1].key;
        const std::string& c = truth_.items()[lo + 2].key;
        send_request(w, coord::Request{coord::SplitResidualOp{t, {b.spec.start, a}, {c, b.spec.end}, next_op_id(w)}});
        return;
      }
      [[fallthrough]];
    }
    case 4: {  // renew with an old fence
      coord::LeaseToken old = t;
      old.fence = t.fence > 1 ? t.fence - 1 : t.fence + 1;
      send_request(w, coord::Request{coord::RenewOp{old}});
      return;
    }
    default: {  // acquire a shard someone else may hold
      const auto& ids = checker_.shard_ids();
      coord::ShardId target = ids[w.rng.below(ids.size())];
      send_request(w, coord::Request{coord::AcquireOp{coord::ShardRef{kTenant, kRun, target}, w.id}});
      return;
    }
  }
}

void Simulator::choose_lease_action(SimWorker& w, Belief& b) {
  // Weights: process 80, residual 3, split 2, park 1, adversarial 4 (safety phase only).
  const uint64_t roll = w.rng.below(90);
  if (roll < 80 || !safety_) {
    start_batch(w, b);
  } else if (roll < 83) {
    if (!may_split() || !propose_residual(w, b)) start_batch(w, b);
  } else if (roll < 85) {
    if (!may_split() || !propose_split(w, b)) start_batch(w, b);
  } else if (roll < 86) {
    send_request(w, coord::Request{coord::ParkOp{token(w, b), "simulated poison item", next_op_id(w)}});
  } else {
    propose_adversarial(w, b);
  }
}

void Simulator::worker_act(SimWorker& w) {
  const int64_t local = local_now(w);
  // Stop trusting leases our own clock says are over.
  for (size_t i = 0; i < w.beliefs.size();) {
    if (local >= w.beliefs[i].local_deadline_ms) {
      drop_belief(w, w.beliefs[i].shard);
    } else {
      ++i;
    }
  }
  if (w.out) {
    if (local - w.out->sent_local_ms >= cfg_.request_timeout_ms) resend(w);
    return;
  }
  if (w.busy_until_ms > now_ms_) return;
  // Renew early: half the lease left.
  if (now_ms_ >= w.no_renew_until_ms) {
    for (const Belief& b : w.beliefs) {
      if (local >= b.local_deadline_ms - cfg_.lease_duration_ms / 2) {
        send_request(w, coord::Request{coord::RenewOp{token(w, b)}});
        return;
      }
    }
  }
  if (w.batch) {
    Belief* b = belief_for(w, w.batch->shard);
    if (b == nullptr || b->fence != w.batch->fence) {
      w.batch.reset();
    } else if (!w.batch->committed && !cfg_.sim_mutations.checkpoint_before_commit) {
      send_commit(w, w.batch->findings, true);
      return;
    } else {
      if (!w.batch->committed) {
        // Mutation: fire-and-forget the findings and advance the cursor at once.
        send_commit(w, w.batch->findings, false);
        w.batch->committed = true;
      }
      send_request(w, coord::Request{coord::CheckpointOp{token(w, *b), {w.batch->last_key, "b"}, next_op_id(w)}});
      return;
    }
  }
  const bool want_more =
      w.beliefs.empty() || (static_cast<int>(w.beliefs.size()) < cfg_.leases_per_worker_max && w.rng.chance(1, 50));
  if (want_more) {
    if (w.rng.chance(7, 10) || checker_.shard_ids().empty()) {
      send_request(w, coord::Request{coord::ClaimNextOp{kTenant, kRun, w.id}});
    } else {
      const auto& ids = checker_.shard_ids();
      coord::ShardId target = ids[w.rng.below(ids.size())];
      send_request(w, coord::Request{coord::AcquireOp{coord::ShardRef{kTenant, kRun, target}, w.id}});
    }
    return;
  }
  Belief& b = w.beliefs[w.rng.below(w.beliefs.size())];
  if (safety_ && w.rng.chance(1, 200)) {
    propose_adversarial(w, b);
    return;
  }
  choose_lease_action(w, b);
}

}  // namespace squall::sim
