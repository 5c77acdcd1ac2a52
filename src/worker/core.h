// Core: the worker's logic, sans-IO — time and replies in, requests and a wake-up time out.
//
// One Core is one worker process's volatile state: its beliefs about the leases it holds
// (with deadlines on its own clock), the one request it has outstanding, and the page of
// items it scanned but has not yet checkpointed. It never reads a clock, never does I/O
// and never blocks; the driver does. `squall sim` drives it on virtual time through a
// simulated network; a real worker drives it with a real clock and a real backend.
//
// What an honest core does (the order is the protocol):
//   - claims a shard (claim_next, or acquire of a shard it has heard of), and trusts the
//     lease only until `sent + lease_duration` by its own clock (counted from when the
//     request left, so a slow reply can only shorten it);
//   - renews once half the lease is gone, well before the deadline;
//   - scans a page of 1..page_max items after the shard's cursor, makes the page's
//     findings durable (content-addressed writes, acknowledged), and only then
//     checkpoints the cursor past them with its fence;
//   - sometimes splits the shard or hands off a residual, and completes it when no item
//     is left after the cursor;
//   - on StaleFence, LeaseExpired, ShardTerminal (and the other lease-gated rejections)
//     drops the lease at once and writes nothing more under it;
//   - on a timeout or an Indeterminate / Unavailable / Contention answer sends the very
//     same request again (same op_id), at most retries_max times;
//   - on a crash loses all of the above (restart()).
// Faults (worker/fault.h) switch individual rules off, as negative controls.
//
// Driving it from a blocking loop:
//
//   worker::Core core(cfg, &corpus);
//   worker::Output out;
//   core.step(worker::Input::timer(clock.now()), &out);
//   for (;;) {
//     for (const worker::Send& s : out.sends) {           // usually one
//       if (s.kind == worker::Send::Kind::Findings) {
//         bool ok = findings_store.put_if_absent(*s.findings);   // blocking
//         if (s.req_id == 0) continue;                    // fire-and-forget (a fault)
//         pending = ok ? worker::Input::findings_ack(clock.now(), s.req_id)
//                      : worker::Input::indeterminate(clock.now(), s.req_id);
//       } else {
//         reply = backend.apply(*s.request);              // blocking, bounded timeout
//         pending = timed_out ? worker::Input::indeterminate(clock.now(), s.req_id)
//                             : worker::Input::answer(clock.now(), s.req_id, reply);
//       }
//     }
//     ... feed `pending` (if any) to core.step(), else sleep until out.wake_at_ms and
//     call core.step(worker::Input::timer(clock.now()), &out) ...
//   }
//
// Pointers in an Output point into the core and stay valid until the next call on it.
// Request ids are never reused by one Core, across restart() too, so a late answer to
// a request of an earlier incarnation is recognised as stale. An answer to anything
// but the outstanding request is ignored.
// Not thread-safe; one Core per worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coord/ops.h"
#include "coord/types.h"
#include "core/rng.h"
#include "worker/fault.h"
#include "worker/finding.h"
#include "worker/item_source.h"
#include "worker/recycled.h"

namespace squall::worker {

struct Config {
  coord::TenantId tenant = 1;
  coord::RunId run = 1;
  coord::WorkerId id = 1;
  uint32_t incarnation = 0;         // differs per process start (op_ids embed it); restart() changes it
  uint64_t seed = 1;                // the core's choices (page sizes, which lease, when to split) draw from it
  int64_t lease_duration_ms = 300;  // the run's lease duration
  int64_t request_timeout_ms = 60;  // an unanswered request is sent again after this long
  int retries_max = 4;              // then the core gives up on it (a page is scanned again)
  int leases_max = 2;               // leases held at once, at most
  size_t page_max = 8;              // items per page, at most (each page draws 1..page_max)
  // A split is proposed only for a shard with at least this many items (counted up to
  // 1024, so a larger value never splits); residuals likewise need this many left.
  size_t split_min_items = 0;
  // After scanning a page the core pauses for a drawn time in [min, max] (the
  // simulator's stand-in for work time); max 0 = no pause and no draw.
  int64_t page_pause_ms_min = 0;
  int64_t page_pause_ms_max = 0;
  // Back-off after NoShardAvailable, ClaimCooldown or LeaseHeld, drawn in [min, max].
  int64_t backoff_ms_min = 5;
  int64_t backoff_ms_max = 40;
  // false = controlled: the core takes no initiative and only sends what submit() gives
  // it (still tracking leases, timeouts and retries).
  bool autonomous = true;
  Faults faults;
};

// What the driver permits right now; it may change between steps.
struct Policy {
  bool reshape = true;  // may propose splits and residuals
  bool park = true;     // may park a shard (the stand-in for a poison item)
  bool renew = true;    // a fault-injection hook: false withholds renewals (a stalled renewer)
};

// A lease the worker believes it holds.
struct Belief {
  coord::ShardId shard = 0;
  uint64_t fence = 0;
  coord::KeyRange spec;
  coord::Cursor cursor;           // the last checkpoint the worker knows of
  int64_t local_deadline_ms = 0;  // by the worker's own clock
};

struct Input {
  enum class Kind : uint8_t {
    Timer,          // time passed (call at or after Output::wake_at_ms)
    Reply,          // the coordinator answered request req_id
    Indeterminate,  // request req_id may or may not have been applied (timeout, lost link)
    FindingsAck,    // the findings write req_id is durable
  };
  Kind kind = Kind::Timer;
  int64_t now_ms = 0;  // the worker's own clock
  uint64_t req_id = 0;
  const coord::Reply* reply = nullptr;  // Kind::Reply; read during step() only

  static Input timer(int64_t now_ms) { return Input{Kind::Timer, now_ms, 0, nullptr}; }
  static Input answer(int64_t now_ms, uint64_t req_id, const coord::Reply& reply) {
    return Input{Kind::Reply, now_ms, req_id, &reply};
  }
  static Input indeterminate(int64_t now_ms, uint64_t req_id) {
    return Input{Kind::Indeterminate, now_ms, req_id, nullptr};
  }
  static Input findings_ack(int64_t now_ms, uint64_t req_id) {
    return Input{Kind::FindingsAck, now_ms, req_id, nullptr};
  }
};

struct Send {
  enum class Kind : uint8_t { Coord, Findings };
  Kind kind = Kind::Coord;
  // Answer with this id. 0 = no answer expected (findings sent and forgotten, which
  // only the checkpoint-before-findings fault does).
  uint64_t req_id = 0;
  bool resend = false;                                  // the same request again (same op_id)
  const coord::Request* request = nullptr;              // Kind::Coord
  const std::vector<FindingWrite>* findings = nullptr;  // Kind::Findings: put each if absent
};

// Things a driver may log; the core's decisions do not depend on them being read.
struct Event {
  enum class Kind : uint8_t { GaveUp, LeaseGranted, LeaseLost, PageScanned };
  Kind kind;
  uint64_t req_id = 0;       // GaveUp
  coord::ShardId shard = 0;  // the others
};

struct Output {
  std::vector<Send> sends;
  std::vector<Event> events;
  // When the core next wants Input::timer, on its own clock (at or below the last
  // input's now: at once; INT64_MAX: only when an answer arrives).
  int64_t wake_at_ms = INT64_MAX;
  void clear() {
    sends.clear();
    events.clear();
    wake_at_ms = INT64_MAX;
  }
};

class Core {
 public:
  Core(const Config& cfg, ItemSource* source);

  void step(const Input& in, Output* out);
  Output step(const Input& in) {
    Output o;
    step(in, &o);
    return o;
  }
  // Sends `request` as the worker's own (controlled mode; the simulator's adversary);
  // its answer updates the beliefs like any other. Precondition: can_submit(now_ms).
  void submit(int64_t now_ms, coord::Request request, Output* out);
  // No request outstanding and no pause running.
  bool can_submit(int64_t now_ms) const { return !out_ && busy_until_ms_ <= now_ms; }
  // The process died and starts again as `incarnation`: every volatile state is lost.
  void restart(uint32_t incarnation);
  void set_policy(const Policy& p) { policy_ = p; }

  // Unique across workers and incarnations.
  coord::OpId next_op_id();
  coord::LeaseToken token(const Belief& b) const;
  const std::vector<Belief>& beliefs() const { return beliefs_; }
  // The id of the request awaiting an answer, if any, and that request (null for none
  // or for a findings write).
  std::optional<uint64_t> outstanding() const;
  const coord::Request* outstanding_request() const { return out_ && !out_->findings ? &out_->request : nullptr; }
  // The `now` of the last input (wake_at() at or below it means "at once").
  int64_t last_now_ms() const { return last_now_ms_; }
  // As Output::wake_at_ms, for the state after the last call.
  int64_t wake_at() const;
  const Config& config() const { return cfg_; }

 private:
  struct Outstanding {
    bool findings = false;  // a findings write rather than a coordinator request
    uint64_t req_id = 0;
    coord::Request request;
    std::vector<FindingWrite> writes;
    int64_t sent_ms = 0;
    int retries = 0;
    void clear_for_reuse() {
      findings = false;
      req_id = 0;
      writes.clear();
      sent_ms = 0;
      retries = 0;
    }
  };
  // A scanned page whose findings must be durable before the cursor may pass it.
  struct Page {
    coord::ShardId shard = 0;
    uint64_t fence = 0;
    std::string last_key;
    std::vector<FindingWrite> writes;
    bool durable = false;
    void clear_for_reuse() {
      shard = 0;
      fence = 0;
      last_key.clear();
      writes.clear();
      durable = false;
    }
  };
  // A shard the worker has heard of (granted, or spawned by its own split).
  struct Known {
    coord::ShardId shard = 0;
    coord::KeyRange spec;
    uint64_t fence = 0;
  };

  void act(int64_t now, Output* out);
  void tick_controlled(int64_t now, Output* out);
  void expire(int64_t now);
  void send_request(int64_t now, coord::Request&& req, Output* out);
  void send_findings(int64_t now, Output* out);
  void resend(int64_t now, Output* out);
  // Acts on the answer to *out_; true when out_ was dealt with (re-sent or dropped).
  bool on_reply(int64_t now, const coord::Reply& reply, Output* out);
  void on_granted(const coord::OpResult& r, Output* out);
  bool on_rejected(int64_t now, coord::CoordErrc code, Output* out);
  void adopt_held_shard(int64_t now, coord::ShardId shard);
  void choose(int64_t now, Belief& b, Output* out);
  void start_page(int64_t now, const Belief& b, Output* out);
  bool propose_split(int64_t now, const Belief& b, Output* out);
  bool propose_residual(int64_t now, const Belief& b, Output* out);
  uint64_t finding_id(const Finding& f) const;
  void drop_belief(coord::ShardId shard, Output* out);
  void refresh_deadline();
  Belief* belief_for(coord::ShardId shard);
  void note_known(coord::ShardId shard, const coord::KeyRange& spec, uint64_t fence);
  const Known* known(coord::ShardId shard) const;
  void backoff(int64_t now);

  Config cfg_;
  ItemSource* source_;
  Rng rng_;
  Policy policy_;
  uint32_t op_counter_ = 0;
  uint64_t next_req_ = 1;
  uint64_t pages_ = 0;  // pages scanned in this incarnation
  std::vector<Belief> beliefs_;
  int64_t deadline_min_ms_ = INT64_MAX;  // the earliest belief deadline
  Recycled<Outstanding> out_;
  Recycled<Page> page_;
  std::vector<Known> known_;
  int64_t busy_until_ms_ = 0;
  int64_t last_now_ms_ = 0;
  // Scratch buffers, kept to reuse their storage.
  std::vector<std::string> keys_;
  std::vector<Finding> found_;
};

}  // namespace squall::worker
