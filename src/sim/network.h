// Network: the simulated network between workers, the admin and the coordinator node
// (which also hosts the findings store).
//
// Messages are delivered in (deliver_at, send sequence) order, so a run is
// deterministic. Under faults a message may be lost, duplicated, or delayed (which
// reorders it); a worker's links to the coordinator can be cut in either direction
// until a given time (checked at delivery, so messages in flight are lost too).
// Bounded: at most kInFlightMax messages (excess are dropped as losses, counted).
// Node 0 is the coordinator; 1..W are workers; W+1 is the admin. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "coord/ops.h"
#include "core/rng.h"
#include "sim/config.h"
#include "sim/stats.h"
#include "worker/finding.h"

namespace squall::sim {

inline constexpr int kCoordinatorNode = 0;
inline constexpr size_t kInFlightMax = 1 << 16;

struct CoordRequestMsg {
  coord::Request request;
};
struct CoordReplyMsg {
  coord::Reply reply;
};
struct CommitMsg {
  std::vector<worker::FindingWrite> writes;  // each put under its id if absent
};
struct CommitAckMsg {};

using Body = std::variant<CoordRequestMsg, CoordReplyMsg, CommitMsg, CommitAckMsg>;

struct Message {
  int from = 0;
  int to = 0;
  uint64_t req_id = 0;
  int64_t deliver_at_ms = 0;
  uint64_t seq = 0;
  Body body;
};

class Network {
 public:
  Network(Rng rng, const SimConfig& cfg, const FaultPlan& plan, Stats* stats, int nodes);

  // Sends a message now; `faults` says whether network faults may hit it.
  void send(Message&& m, int64_t now_ms, bool faults);
  // The same, built in place: reserve() a slot, fill message(slot) — a recycled slot
  // still holds its last message, so set every field and use body_as() for the body —
  // then send_reserved(). Filling a recycled slot reuses its string buffers; building a
  // Message and moving it into the slot cost more than the coordinator's planning.
  uint32_t reserve();
  void send_reserved(uint32_t slot, int64_t now_ms, bool faults);
  // The body of `m` as a T, switched to T (default-constructed) if it holds another
  // kind. (A CoordReplyMsg has no default; build it with emplace.)
  template <typename T>
  static T& body_as(Message& m) {
    if (T* b = std::get_if<T>(&m.body)) return *b;
    return m.body.emplace<T>();
  }
  // Re-inserts a message to be delivered at at_ms (used for stale replays), without
  // faults.
  void requeue(Message&& m, int64_t at_ms);
  // Pops the next message due at or before now_ms whose link is up and returns its
  // slot; messages on a cut link are dropped. The message stays in its slot (read it
  // with message(); its address is stable while the caller sends more) until the
  // caller either release()s the slot or defer()s it. Moving messages in and out of
  // the queue used to dominate the simulator's profile.
  // Inline for the common "nothing due" answer (the step loop asks once more after
  // its last delivery).
  bool pop_due(int64_t now_ms, uint32_t* slot) {
    if (head_ == queue_.size() || queue_[head_].at_ms > now_ms) return false;
    return pop_next_due(now_ms, slot);
  }
  Message& message(uint32_t slot) { return *slots_[slot]; }
  void release(uint32_t slot) { free_slots_.push_back(slot); }
  // Delivers the popped message in `slot` again at at_ms (a paused recipient), in
  // send order after everything already queued for that time.
  void defer(uint32_t slot, int64_t at_ms);

  void cut(int worker, int64_t until_ms, bool to_coordinator, bool from_coordinator);
  void heal();
  bool link_up(int from, int to, int64_t now_ms) const;
  size_t in_flight() const { return queue_.size() - head_; }
  // Delivery time of the earliest message in flight (INT64_MAX if none).
  int64_t next_time() const { return head_ == queue_.size() ? INT64_MAX : queue_[head_].at_ms; }

 private:
  // The queue orders small entries; messages stay put in slots_.
  struct Entry {
    int64_t at_ms;
    uint32_t slot;
  };
  void push(Message&& m);
  // Queues the message already in `slot` (dropped as a loss when the queue is full).
  void enqueue(uint32_t slot);
  bool pop_next_due(int64_t now_ms, uint32_t* slot);
  // Puts `slot` in delivery order with the next send sequence (the queue has room).
  void insert(uint32_t slot);

  Rng rng_;
  const SimConfig* cfg_;
  FaultPlan plan_;
  Stats* stats_;
  // The messages in flight in delivery order — (at_ms, send sequence) — from head_ on.
  // A sorted array rather than a heap: a handful of messages are in flight at a time
  // and a new one almost always goes last (its send sequence is the highest), so an
  // insertion scans back over a few entries and a pop only moves head_.
  std::vector<Entry> queue_;
  size_t head_ = 0;
  std::vector<std::unique_ptr<Message>> slots_;  // boxed: addresses survive growth
  std::vector<uint32_t> free_slots_;
  std::vector<int64_t> cut_to_coord_until_;    // per node
  std::vector<int64_t> cut_from_coord_until_;  // per node
  uint64_t seq_ = 0;
};

}  // namespace squall::sim
