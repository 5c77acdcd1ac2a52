#include "worker_driver/driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "core/assert.h"

namespace squall::worker_driver {

namespace {

bool transient(coord::CoordErrc c) {
  return c == coord::CoordErrc::Unavailable || c == coord::CoordErrc::Indeterminate ||
         c == coord::CoordErrc::Contention;
}

// "2026-12-03T10:49:44.123Z": the worker's own wall-clock time, in every log line.
std::string timestamp(int64_t wall_ms) {
  const std::time_t secs = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(wall_ms % 1000));
}

std::string shard_name(coord::ShardId id) {
  return coord::is_derived(id) ? fmt::format("d{:x}", id & ~coord::kDerivedBit) : fmt::format("{}", id);
}

}  // namespace

DriverIo default_io() {
  DriverIo io;
  io.log = [](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  };
  io.steady_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  io.wall_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  io.sleep_ms = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  return io;
}

coord::Mutations mutations_for(const worker::Faults& faults) {
  coord::Mutations m;
  m.skip_fence_check = faults.has(worker::Fault::SkipFenceCheck);
  m.acquire_ignores_live_lease = faults.has(worker::Fault::IgnoreLiveLease);
  return m;
}

namespace {

coord::Mutations with_faults(coord::Mutations m, const worker::Faults& faults) {
  const coord::Mutations f = mutations_for(faults);
  m.skip_fence_check |= f.skip_fence_check;
  m.acquire_ignores_live_lease |= f.acquire_ignores_live_lease;
  return m;
}

}  // namespace

Driver::Driver(const DriverConfig& cfg, coord::RecordStore* store, DataPlane* plane, DriverIo io)
    : cfg_(cfg),
      store_(store),
      plane_(plane),
      io_(std::move(io)),
      coord_(store, with_faults(cfg.mutations, cfg.faults),
             // A mutated coordinator writes what it plans, so the harness finds it.
             cfg.mutations.any() ? coord::InvariantPolicy::Report : coord::InvariantPolicy::Abort),
      corpus_(cfg.corpus_seed, cfg.items),
      source_(&corpus_) {
  SQ_ASSERT(store_ != nullptr && plane_ != nullptr);
  SQ_ASSERT(cfg_.roots >= 1 && cfg_.roots <= std::max<uint32_t>(cfg_.items, 1));
}

void Driver::log(std::string_view what) {
  if (io_.log) io_.log(fmt::format("{} w{} {}", timestamp(io_.wall_ms()), cfg_.who.worker, what));
}

void Driver::trace(char dir, uint64_t req_id, const std::string& json) {
  if (io_.trace) io_.trace(fmt::format("{} {} {}", dir, req_id, json));
}

worker::Config Driver::core_config(int64_t lease_ms) const {
  worker::Config c;
  c.tenant = cfg_.who.tenant;
  c.run = cfg_.who.run;
  c.id = cfg_.who.worker;
  c.incarnation = cfg_.incarnation;
  c.seed = cfg_.seed;
  c.lease_duration_ms = lease_ms;
  // Every request is answered within the loop iteration that sends it (the calls
  // block), so this only bounds a request the core is still waiting on after a crash
  // of the answer path; a quarter of the lease leaves room for the retries.
  c.request_timeout_ms = std::max<int64_t>(lease_ms / 4, 20);
  c.retries_max = 4;
  c.leases_max = static_cast<int>(cfg_.leases_max);
  c.page_max = cfg_.page_max;
  c.split_min_items = cfg_.split_min_items;
  c.backoff_ms_min = 10;
  c.backoff_ms_max = std::max<int64_t>(lease_ms / 10, 20);
  c.autonomous = cfg_.autonomous;
  c.faults = cfg_.faults;
  return c;
}

std::optional<Outcome> Driver::join() {
  const int64_t deadline = io_.steady_ms() + cfg_.give_up_ms;
  bool stopped = false;
  auto retry = [&](const char* what, const coord::CoordError& e) {
    if (stop_ != nullptr && stop_->load()) {
      log(fmt::format("stopping: asked to (SIGTERM) while trying to {}", what));
      stopped = true;
      return false;
    }
    if (!transient(e.code) || io_.steady_ms() >= deadline) {
      log(fmt::format("cannot {}: {} ({})", what, coord::to_string(e.code), e.detail));
      return false;
    }
    io_.sleep_ms(100);
    return true;
  };
  for (;;) {
    coord::Reply r =
        coord_.create_run(coord::CreateRunOp{cfg_.who.tenant, cfg_.who.run, {cfg_.lease_ms, cfg_.claim_cooldown_ms}});
    if (r.ok() || r.error().code == coord::CoordErrc::RunExists) {
      log(r.ok() ? fmt::format("created run {}", cfg_.who.run) : fmt::format("joined run {}", cfg_.who.run));
      break;
    }
    if (!retry("create the run", r.error())) return stopped ? Outcome::Stopped : Outcome::Failed;
  }
  coord::RunRecord run;
  for (;;) {
    coord::Revision rev = 0;
    coord::StoreStatus s = store_->get_run(cfg_.who.run, &run, &rev);
    if (s == coord::StoreStatus::Ok && rev != 0) break;
    if (!retry("read the run", coord::coord_error(coord::CoordErrc::Unavailable, coord::to_string(s))))
      return stopped ? Outcome::Stopped : Outcome::Failed;
  }
  if (run.tenant != cfg_.who.tenant) {
    log(fmt::format("run {} belongs to tenant {}, not {}", cfg_.who.run, run.tenant, cfg_.who.tenant));
    return Outcome::Failed;
  }
  if (run.status == coord::RunStatus::Done) {
    log("the run is already done");
    return Outcome::Done;
  }
  coord::RegisterShardsOp reg{cfg_.who.tenant, cfg_.who.run, {}, kRegisterOpId};
  std::vector<coord::KeyRange> ranges = corpus_.root_ranges(cfg_.roots);
  for (size_t i = 0; i < ranges.size(); ++i) reg.shards.push_back(coord::RootSpec{i + 1, std::move(ranges[i])});
  for (;;) {
    coord::Reply r = coord_.register_shards(io_.wall_ms(), reg);
    if (r.ok()) break;
    const coord::CoordErrc c = r.error().code;
    // Another worker registered the same roots and its op has left the run's op-log.
    if (c == coord::CoordErrc::ShardExists) break;
    if (c == coord::CoordErrc::RunTerminal) {
      log("the run is already done");
      return Outcome::Done;
    }
    if (c == coord::CoordErrc::SpecOverlap || c == coord::CoordErrc::OpIdConflict) {
      log(
          fmt::format("run {} was registered with other root ranges: are --items, --roots and --corpus-seed "
                      "the same for every worker? ({})",
                      cfg_.who.run, coord::to_string(c)));
      return Outcome::Failed;
    }
    if (!retry("register the root shards", r.error())) return stopped ? Outcome::Stopped : Outcome::Failed;
  }
  if (run.config.lease_duration_ms != cfg_.lease_ms)
    log(fmt::format("the run's lease is {} ms (not --lease-ms {}): using the run's", run.config.lease_duration_ms,
                    cfg_.lease_ms));
  core_ = std::make_unique<worker::Core>(core_config(run.config.lease_duration_ms), &source_);
  // No poison items in a corpus; a parked shard would wait for an operator's unpark
  // before the run could finish.
  core_->set_policy(worker::Policy{true, false, true});
  last_answer_ms_ = io_.steady_ms();
  return std::nullopt;
}

void Driver::note_events(const worker::Output& out) {
  for (const worker::Event& e : out.events) {
    switch (e.kind) {
      case worker::Event::Kind::PageScanned:
        page_keys_.swap(source_.scanned);
        source_.scanned.clear();
        break;
      case worker::Event::Kind::LeaseGranted: {
        const worker::Belief* b = nullptr;
        for (const auto& x : core_->beliefs()) b = x.shard == e.shard ? &x : b;
        log(fmt::format("lease granted: shard {} fence {} from {}", shard_name(e.shard), b ? b->fence : 0,
                        b && !b->cursor.last_key.empty() ? b->cursor.last_key : std::string("the start")));
        break;
      }
      case worker::Event::Kind::LeaseLost: log(fmt::format("lease over: shard {}", shard_name(e.shard))); break;
      case worker::Event::Kind::GaveUp: log(fmt::format("gave up on request {} after retries", e.req_id)); break;
    }
  }
}

void Driver::carry(const worker::Send& s, std::optional<coord::Reply>* reply) {
  const coord::Request& req = *s.request;
  const coord::OpId op = coord::op_id_of(req);
  trace('S', s.req_id, encode_request(op != 0 ? op : s.req_id, req));
  if (const auto* cp = std::get_if<coord::CheckpointOp>(&req); cp != nullptr && !page_keys_.empty() &&
                                                               cp->cursor.last_key == page_keys_.back() &&
                                                               !plane_->mark_done(page_keys_)) {
    // The checkpoint must not pass items the ledger does not hold: not sent, and the
    // core sends it again.
    log(fmt::format("done-ledger write failed: {}", plane_->last_error()));
    reply->emplace(coord::coord_error(coord::CoordErrc::Unavailable, "the done-ledger write failed"));
  } else {
    reply->emplace(coord_.apply(req, io_.wall_ms()));
  }
  const coord::Reply& r = **reply;
  trace('A', s.req_id, encode_reply(op != 0 ? op : s.req_id, r));
  if (r.ok() || r.error().code != coord::CoordErrc::Unavailable) last_answer_ms_ = io_.steady_ms();
  const coord::OpKind kind = coord::kind_of(req);
  if (r.ok()) {
    if (kind == coord::OpKind::Checkpoint) page_keys_.clear();
    if (kind == coord::OpKind::Complete || kind == coord::OpKind::SplitReplace || kind == coord::OpKind::SplitResidual)
      log(fmt::format("{} shard {}: ok{}", coord::to_string(kind), shard_name(coord::target_shard(req)),
                      r->spawned.empty() ? "" : fmt::format(", {} new shards", r->spawned.size())));
    return;
  }
  const coord::CoordErrc c = r.error().code;
  if (transient(c)) {
    log(fmt::format("{}: {} ({})", coord::to_string(kind), coord::to_string(c), r.error().detail));
  } else if (kind == coord::OpKind::ClaimNext && c == coord::CoordErrc::RunTerminal) {
    run_done_ = true;
  } else if (kind == coord::OpKind::ClaimNext &&
             (c == coord::CoordErrc::NoShardAvailable || c == coord::CoordErrc::ClaimCooldown)) {
    maybe_finish(io_.steady_ms());
  }
}

void Driver::maybe_finish(int64_t now) {
  if (now < next_finish_ms_) return;
  next_finish_ms_ = now + 200;
  // One op_id per attempt until it is answered for sure, so a lost answer is replayed.
  if (finish_op_ == 0) finish_op_ = core_->next_op_id();
  coord::Reply r = coord_.finish_run(io_.wall_ms(), coord::FinishRunOp{cfg_.who.tenant, cfg_.who.run, finish_op_});
  if (r.ok() || r.error().code == coord::CoordErrc::RunTerminal) {
    log(r.ok() ? "finished the run" : "the run is done");
    run_done_ = true;
  } else if (!transient(r.error().code)) {
    finish_op_ = 0;  // a definite rejection logs nothing: the op_id is free again
  }
}

void Driver::flush_unawaited(bool all) {
  const int64_t now = io_.steady_ms();
  std::erase_if(unawaited_, [&](const Unawaited& u) {
    if (!all && u.due_ms > now) return false;
    if (!plane_->put_findings(u.writes)) log(fmt::format("unawaited findings write failed: {}", plane_->last_error()));
    return true;
  });
}

Outcome Driver::run(const std::atomic<bool>& stop) {
  SQ_ASSERT_MSG(core_ != nullptr, "join() first");
  worker::Output out;
  core_->step(worker::Input::timer(io_.steady_ms()), &out);
  note_events(out);
  std::optional<coord::Reply> reply;
  for (;;) {
    if (stop.load()) {
      // The request in flight was carried out to its answer (calls block): nothing is
      // half done. Unawaited writes go out now.
      flush_unawaited(true);
      log("stopping: asked to (SIGTERM)");
      return Outcome::Stopped;
    }
    if (io_.steady_ms() - last_answer_ms_ > cfg_.give_up_ms) {
      log(fmt::format("no coordinator answer for {} ms: giving up", cfg_.give_up_ms));
      return Outcome::Failed;
    }
    std::optional<worker::Input> pending;
    for (const worker::Send& s : out.sends) {
      if (s.kind == worker::Send::Kind::Findings) {
        if (s.req_id == 0) {
          unawaited_.push_back(Unawaited{io_.steady_ms() + kUnawaitedDelayMs, *s.findings});
          continue;
        }
        const bool ok = plane_->put_findings(*s.findings);
        if (!ok) log(fmt::format("findings write failed: {}", plane_->last_error()));
        pending = ok ? worker::Input::findings_ack(io_.steady_ms(), s.req_id)
                     : worker::Input::indeterminate(io_.steady_ms(), s.req_id);
      } else {
        carry(s, &reply);
        pending = worker::Input::answer(io_.steady_ms(), s.req_id, *reply);
      }
    }
    flush_unawaited(false);
    if (run_done_) {
      flush_unawaited(true);
      log("the run is done: exiting");
      return Outcome::Done;
    }
    if (pending) {
      core_->step(*pending, &out);
    } else {
      const int64_t now = io_.steady_ms();
      int64_t wait = std::min<int64_t>(out.wake_at_ms - now, 50);  // stay responsive to stop
      if (!unawaited_.empty()) wait = std::min(wait, unawaited_.front().due_ms - now);
      if (wait > 0) io_.sleep_ms(wait);
      core_->step(worker::Input::timer(io_.steady_ms()), &out);
    }
    note_events(out);
  }
}

std::string Driver::handle(std::string_view line) {
  auto decoded = decode_request(line, cfg_.who);
  if (auto* e = std::get_if<ControlError>(&decoded)) {
    log(fmt::format("bad control request: {}", e->message));
    return encode_error(*e);
  }
  const ControlRequest& req = std::get<ControlRequest>(decoded);
  if (req.read) {
    coord::ShardRecord rec;
    coord::Revision rev = 0;
    const coord::StoreStatus s = store_->get_shard(cfg_.who.run, req.shard, &rec, &rev);
    if (s != coord::StoreStatus::Ok)
      return encode_reply(req.op_id, coord::coord_error(coord::CoordErrc::Unavailable, "the read failed; retry"));
    return encode_record(req.op_id, rev != 0 ? &rec : nullptr);
  }
  if (req.now_ms.has_value() != cfg_.clock_from_requests) {
    const char* why = cfg_.clock_from_requests ? "\"now_ms\" is required: this worker runs with --control-clock request"
                                               : "\"now_ms\" needs --control-clock request";
    log(fmt::format("bad control request: {}", why));
    return encode_error(ControlError{req.op_id, why});
  }
  coord::Reply r = coord_.apply(req.request, req.now_ms.value_or(io_.wall_ms()));
  log(fmt::format("control {} op {}: {}", coord::to_string(coord::kind_of(req.request)), req.op_id,
                  r.ok() ? "ok" : coord::to_string(r.error().code)));
  return encode_reply(req.op_id, r);
}

}  // namespace squall::worker_driver
