#include "worker/core.h"

#include <algorithm>

#include "core/assert.h"

namespace squall::worker {

using coord::CoordErrc;

namespace {

// Splits and residuals choose their cuts among this many keys of the shard at most.
constexpr size_t kCutScanMax = 1024;
// Shards remembered for acquire-by-id (oldest forgotten first).
constexpr size_t kKnownMax = 64;

}  // namespace

Core::Core(const Config& cfg, ItemSource* source) : cfg_(cfg), source_(source), rng_(cfg.seed) {
  SQ_ASSERT(source_ != nullptr);
  SQ_ASSERT(cfg_.lease_duration_ms > 0 && cfg_.request_timeout_ms > 0);
  SQ_ASSERT(cfg_.page_max >= 1 && cfg_.leases_max >= 1);
  SQ_ASSERT(cfg_.page_pause_ms_min <= cfg_.page_pause_ms_max && cfg_.backoff_ms_min <= cfg_.backoff_ms_max);
}

coord::OpId Core::next_op_id() {
  // Unique across workers and incarnations: a restarted worker must not reuse op_ids.
  return (static_cast<coord::OpId>(cfg_.id) << 48) | (static_cast<coord::OpId>(cfg_.incarnation & 0xffff) << 32) |
         ++op_counter_;
}

coord::LeaseToken Core::token(const Belief& b) const {
  return coord::LeaseToken{coord::ShardRef{cfg_.tenant, cfg_.run, b.shard}, cfg_.id, b.fence};
}

std::optional<uint64_t> Core::outstanding() const {
  if (!out_) return std::nullopt;
  return out_->req_id;
}

int64_t Core::wake_at() const {
  if (out_) return std::min(deadline_min_ms_, out_->sent_ms + cfg_.request_timeout_ms);
  if (busy_until_ms_ > last_now_ms_) return std::min(deadline_min_ms_, busy_until_ms_);
  // Idle: an autonomous worker acts at once; a controlled one waits for its leases to run out.
  return cfg_.autonomous ? last_now_ms_ : deadline_min_ms_;
}

void Core::restart(uint32_t incarnation) {
  cfg_.incarnation = incarnation;
  op_counter_ = 0;
  pages_ = 0;
  beliefs_.clear();
  refresh_deadline();
  out_.reset();
  page_.reset();
  known_.clear();
  busy_until_ms_ = 0;
}

void Core::step(const Input& in, Output* out) {
  out->clear();
  last_now_ms_ = in.now_ms;
  switch (in.kind) {
    case Input::Kind::Timer:
      if (cfg_.autonomous) {
        act(in.now_ms, out);
      } else {
        tick_controlled(in.now_ms, out);
      }
      break;
    case Input::Kind::Reply:
      SQ_ASSERT(in.reply != nullptr);
      // Anything but the answer to the outstanding request is stale or duplicated.
      if (out_ && !out_->findings && out_->req_id == in.req_id && !on_reply(in.now_ms, *in.reply, out)) out_.reset();
      break;
    case Input::Kind::Indeterminate:
      if (out_ && out_->req_id == in.req_id) resend(in.now_ms, out);
      break;
    case Input::Kind::FindingsAck:
      if (out_ && out_->findings && out_->req_id == in.req_id) {
        out_.reset();
        if (page_) page_->durable = true;
      }
      break;
  }
  out->wake_at_ms = wake_at();
}

void Core::submit(int64_t now_ms, coord::Request request, Output* out) {
  SQ_ASSERT(can_submit(now_ms));
  out->clear();
  last_now_ms_ = now_ms;
  expire(now_ms);
  send_request(now_ms, std::move(request), out);
  out->wake_at_ms = wake_at();
}

// ---- bookkeeping ----

Belief* Core::belief_for(coord::ShardId shard) {
  for (auto& b : beliefs_) {
    if (b.shard == shard) return &b;
  }
  return nullptr;
}

void Core::refresh_deadline() {
  deadline_min_ms_ = INT64_MAX;
  for (const Belief& b : beliefs_) deadline_min_ms_ = std::min(deadline_min_ms_, b.local_deadline_ms);
}

void Core::drop_belief(coord::ShardId shard, Output* out) {
  const size_t before = beliefs_.size();
  std::erase_if(beliefs_, [&](const Belief& b) { return b.shard == shard; });
  if (beliefs_.size() != before) out->events.push_back(Event{Event::Kind::LeaseLost, 0, shard});
  refresh_deadline();
  if (page_ && page_->shard == shard) page_.reset();
}

// Stop trusting leases our own clock says are over (unless the fault says otherwise).
void Core::expire(int64_t now) {
  if (cfg_.faults.has(Fault::SkipFenceCheck)) return;
  std::erase_if(beliefs_, [&](const Belief& b) { return now >= b.local_deadline_ms; });
  refresh_deadline();
  if (page_ && belief_for(page_->shard) == nullptr) page_.reset();
}

void Core::note_known(coord::ShardId shard, const coord::KeyRange& spec, uint64_t fence) {
  for (Known& k : known_) {
    if (k.shard == shard) {
      k.spec = spec;
      k.fence = std::max(k.fence, fence);
      return;
    }
  }
  if (known_.size() == kKnownMax) known_.erase(known_.begin());
  known_.push_back(Known{shard, spec, fence});
}

const Core::Known* Core::known(coord::ShardId shard) const {
  for (const Known& k : known_) {
    if (k.shard == shard) return &k;
  }
  return nullptr;
}

void Core::backoff(int64_t now) { busy_until_ms_ = now + rng_.range(cfg_.backoff_ms_min, cfg_.backoff_ms_max); }

// ---- sending ----

void Core::send_request(int64_t now, coord::Request&& req, Output* out) {
  Outstanding& o = out_.emplace();
  o.req_id = next_req_++;
  o.request = std::move(req);
  o.sent_ms = now;
  out->sends.push_back(Send{Send::Kind::Coord, o.req_id, false, &o.request, nullptr});
}

void Core::send_findings(int64_t now, Output* out) {
  Outstanding& o = out_.emplace();
  o.findings = true;
  o.req_id = next_req_++;
  o.writes = page_->writes;  // its own copy: the page may be dropped while this is in flight
  o.sent_ms = now;
  out->sends.push_back(Send{Send::Kind::Findings, o.req_id, false, nullptr, &o.writes});
}

// Timeout or ambiguous answer: the very same request again (same op_id), up to retries_max times.
void Core::resend(int64_t now, Output* out) {
  Outstanding& o = *out_;
  if (++o.retries > cfg_.retries_max) {
    out->events.push_back(Event{Event::Kind::GaveUp, o.req_id, 0});
    if (o.findings) page_.reset();  // the page will be scanned again
    out_.reset();
    return;
  }
  o.sent_ms = now;
  if (o.findings) {
    out->sends.push_back(Send{Send::Kind::Findings, o.req_id, true, nullptr, &o.writes});
  } else {
    out->sends.push_back(Send{Send::Kind::Coord, o.req_id, true, &o.request, nullptr});
  }
}

// ---- answers ----

bool Core::on_reply(int64_t now, const coord::Reply& reply, Output* out) {
  if (!reply.ok()) return on_rejected(now, reply.error().code, out);
  const coord::Request& req = out_->request;
  const coord::OpResult& r = reply.value();
  const int64_t sent = out_->sent_ms;
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, coord::ClaimNextOp> || std::is_same_v<T, coord::AcquireOp>) {
          drop_belief(r.shard, out);
          // The lease runs from the coordinator's `now`, which is after our send: counting
          // from the send time is conservative.
          beliefs_.push_back(Belief{r.shard, r.fence, r.spec, r.cursor, sent + cfg_.lease_duration_ms});
          refresh_deadline();
          note_known(r.shard, r.spec, r.fence);
          out->events.push_back(Event{Event::Kind::LeaseGranted, 0, r.shard});
        } else if constexpr (std::is_same_v<T, coord::RenewOp>) {
          if (Belief* b = belief_for(op.lease.ref.shard); b && b->fence == op.lease.fence) {
            b->local_deadline_ms = sent + cfg_.lease_duration_ms;
            refresh_deadline();
          }
        } else if constexpr (std::is_same_v<T, coord::CheckpointOp>) {
          if (Belief* b = belief_for(op.lease.ref.shard); b && b->fence == op.lease.fence) b->cursor = op.cursor;
          if (page_ && page_->shard == op.lease.ref.shard && page_->last_key == op.cursor.last_key) page_.reset();
        } else if constexpr (std::is_same_v<T, coord::SplitResidualOp>) {
          if (Belief* b = belief_for(op.lease.ref.shard); b && b->fence == op.lease.fence) b->spec = op.new_parent;
          if (r.spawned.size() == 1) note_known(r.spawned[0], op.residual, 1);
        } else if constexpr (std::is_same_v<T, coord::SplitReplaceOp>) {
          drop_belief(op.lease.ref.shard, out);
          std::vector<coord::KeyRange> kids = op.children;
          std::sort(kids.begin(), kids.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
          for (size_t i = 0; i < kids.size() && kids.size() == r.spawned.size(); ++i)
            note_known(r.spawned[i], kids[i], 1);
        } else if constexpr (std::is_same_v<T, coord::CompleteOp> || std::is_same_v<T, coord::ParkOp>) {
          drop_belief(op.lease.ref.shard, out);
        }
      },
      req);
  return false;
}

bool Core::on_rejected(int64_t now, CoordErrc code, Output* out) {
  const coord::Request& req = out_->request;
  switch (code) {
    case CoordErrc::Indeterminate:
    case CoordErrc::Unavailable:
    case CoordErrc::Contention:
      // Retry the same request: the op-log makes a repeated write harmless.
      resend(now, out);
      return true;
    case CoordErrc::StaleFence:
    case CoordErrc::LeaseExpired:
      // The lease is gone: stop at once. The fault keeps writing on the cached lease.
      if (coord::lease_of(req) != nullptr && !cfg_.faults.has(Fault::SkipFenceCheck))
        drop_belief(coord::target_shard(req), out);
      return false;
    case CoordErrc::ShardTerminal:
    case CoordErrc::ShardNotFound:
    case CoordErrc::TenantMismatch:
      if (coord::lease_of(req) != nullptr) drop_belief(coord::target_shard(req), out);
      return false;
    case CoordErrc::LeaseHeld:
      if (cfg_.faults.has(Fault::IgnoreLiveLease) && std::holds_alternative<coord::AcquireOp>(req)) {
        adopt_held_shard(now, std::get<coord::AcquireOp>(req).ref.shard);
        return false;
      }
      backoff(now);
      return false;
    case CoordErrc::NoShardAvailable:
    case CoordErrc::ClaimCooldown: backoff(now); return false;
    default:
      // Operation-check rejections (bad cursor, bad split) leave the lease as it was; a
      // rejected checkpoint's page is scanned again.
      if (std::holds_alternative<coord::CheckpointOp>(req) && page_) page_.reset();
      return false;
  }
}

// The ignore-live-lease fault: another worker's live lease is treated as ours, with the
// fence guessed from what we last knew of the shard.
void Core::adopt_held_shard(int64_t now, coord::ShardId shard) {
  const Known* k = known(shard);
  if (k == nullptr) {
    backoff(now);
    return;
  }
  std::erase_if(beliefs_, [&](const Belief& b) { return b.shard == shard; });
  beliefs_.push_back(Belief{shard, k->fence + 1, k->spec, coord::Cursor{}, now + cfg_.lease_duration_ms});
  refresh_deadline();
}

// ---- initiative ----

void Core::tick_controlled(int64_t now, Output* out) {
  expire(now);
  if (out_ && now - out_->sent_ms >= cfg_.request_timeout_ms) resend(now, out);
}

void Core::act(int64_t now, Output* out) {
  expire(now);
  if (out_) {
    if (now - out_->sent_ms >= cfg_.request_timeout_ms) resend(now, out);
    return;
  }
  if (busy_until_ms_ > now) return;
  // Renew early: half the lease left.
  if (policy_.renew) {
    for (const Belief& b : beliefs_) {
      if (now >= b.local_deadline_ms - cfg_.lease_duration_ms / 2) {
        send_request(now, coord::Request{coord::RenewOp{token(b)}}, out);
        return;
      }
    }
  }
  if (page_) {
    Belief* b = belief_for(page_->shard);
    if (b == nullptr || b->fence != page_->fence) {
      page_.reset();
    } else if (!page_->durable && !cfg_.faults.has(Fault::CheckpointBeforeFindings)) {
      send_findings(now, out);
      return;
    } else {
      if (!page_->durable) {
        // The fault: send the findings and forget them, and advance the cursor at once.
        out->sends.push_back(Send{Send::Kind::Findings, 0, false, nullptr, &page_->writes});
        page_->durable = true;
      }
      send_request(now, coord::Request{coord::CheckpointOp{token(*b), {page_->last_key, "b"}, next_op_id()}}, out);
      return;
    }
  }
  const bool want_more =
      beliefs_.empty() || (static_cast<int>(beliefs_.size()) < cfg_.leases_max && rng_.chance(1, 50));
  if (want_more) {
    if (rng_.chance(7, 10) || known_.empty()) {
      send_request(now, coord::Request{coord::ClaimNextOp{cfg_.tenant, cfg_.run, cfg_.id}}, out);
    } else {
      const coord::ShardId target = known_[rng_.below(known_.size())].shard;
      send_request(now, coord::Request{coord::AcquireOp{coord::ShardRef{cfg_.tenant, cfg_.run, target}, cfg_.id}}, out);
    }
    return;
  }
  choose(now, beliefs_[rng_.below(beliefs_.size())], out);
}

void Core::choose(int64_t now, Belief& b, Output* out) {
  // Weights: scan a page 80, residual 3, split 2, park 1.
  const uint64_t roll = rng_.below(86);
  if (roll < 80) {
    start_page(now, b, out);
  } else if (roll < 83) {
    if (!policy_.reshape || !propose_residual(now, b, out)) start_page(now, b, out);
  } else if (roll < 85) {
    if (!policy_.reshape || !propose_split(now, b, out)) start_page(now, b, out);
  } else if (policy_.park) {
    send_request(now, coord::Request{coord::ParkOp{token(b), "poison item", next_op_id()}}, out);
  } else {
    start_page(now, b, out);
  }
}

uint64_t Core::finding_id(const Finding& f) const {
  const uint64_t id = content_id(f);
  if (!cfg_.faults.has(Fault::NonIdempotentFindings)) return id;
  // The fault: the id names the attempt, not the content, so every scan of the same
  // item writes a new record.
  return id ^
         ((static_cast<uint64_t>(cfg_.id) << 48 | static_cast<uint64_t>(cfg_.incarnation & 0xffff) << 32 | pages_) *
          0x9e3779b97f4a7c15ULL);
}

void Core::start_page(int64_t now, const Belief& b, Output* out) {
  keys_.clear();
  source_->list(b.spec, b.cursor.last_key, cfg_.page_max, &keys_);
  if (keys_.empty()) {
    send_request(now, coord::Request{coord::CompleteOp{token(b), coord::Cursor{}, next_op_id()}}, out);
    return;
  }
  const size_t n = std::min(keys_.size(), static_cast<size_t>(rng_.range(1, static_cast<int64_t>(cfg_.page_max))));
  ++pages_;
  Page& page = page_.emplace();
  page.shard = b.shard;
  page.fence = b.fence;
  for (size_t i = 0; i < n; ++i) {
    found_.clear();
    source_->scan(keys_[i], &found_);
    for (Finding& f : found_) {
      const uint64_t id = finding_id(f);
      page.writes.push_back(FindingWrite{id, std::move(f)});
    }
  }
  page.last_key = keys_[n - 1];
  page.durable = page.writes.empty();
  out->events.push_back(Event{Event::Kind::PageScanned, 0, b.shard});
  if (cfg_.page_pause_ms_max > 0) busy_until_ms_ = now + rng_.range(cfg_.page_pause_ms_min, cfg_.page_pause_ms_max);
}

bool Core::propose_split(int64_t now, const Belief& b, Output* out) {
  keys_.clear();
  source_->list(b.spec, "", kCutScanMax, &keys_);
  if (keys_.size() < cfg_.split_min_items) return false;
  std::erase_if(keys_, [&](const std::string& k) { return k <= b.spec.start; });
  const size_t want = static_cast<size_t>(rng_.range(1, 3));  // 2..4 children
  if (keys_.size() < want) return false;
  rng_.shuffle(keys_.begin(), keys_.end());
  keys_.resize(want);
  std::sort(keys_.begin(), keys_.end());
  std::vector<coord::KeyRange> kids;
  std::string pos = b.spec.start;
  for (const std::string& key : keys_) {
    kids.push_back({pos, key});
    pos = key;
  }
  kids.push_back({pos, b.spec.end});
  rng_.shuffle(kids.begin(), kids.end());  // the coordinator must not rely on order
  send_request(now, coord::Request{coord::SplitReplaceOp{token(b), std::move(kids), next_op_id()}}, out);
  return true;
}

bool Core::propose_residual(int64_t now, const Belief& b, Output* out) {
  keys_.clear();
  source_->list(b.spec, b.cursor.last_key, kCutScanMax, &keys_);
  if (keys_.size() < 2 || keys_.size() < cfg_.split_min_items) return false;
  // Keep at least the next item in the parent; cut at a later one.
  const size_t at = static_cast<size_t>(rng_.range(1, static_cast<int64_t>(keys_.size()) - 1));
  const std::string cut = keys_[at];
  if (cut <= b.spec.start) return false;
  send_request(
      now, coord::Request{coord::SplitResidualOp{token(b), {b.spec.start, cut}, {cut, b.spec.end}, next_op_id()}}, out);
  return true;
}

}  // namespace squall::worker
