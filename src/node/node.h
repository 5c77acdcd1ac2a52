// Node: the sans-IO core of a Maelstrom node.
//
// Inputs are messages (or raw lines) and the current time; outputs are messages in an
// outbox, log lines, and the next instant at which tick() must be called. The node never
// reads a clock or touches a file descriptor, so the same node runs under the stdio
// driver, in the simulator and in unit tests unchanged.
//
// It handles init/init_ok itself, queues everything else that arrives before init
// (bounded: beyond the limit a request is answered with error 11), answers unknown
// message types with error 10 and bodies without a type with error 12, routes replies
// (in_reply_to) to RPC callbacks, and fires timers and RPC timeouts from tick().
// Replies are never answered, so two nodes cannot loop on errors.
//
// Not thread-safe: one thread feeds it. Handlers, callbacks and timers run inside
// receive()/tick() and may call any method. Invariants: msg_ids it allocates start at 1
// and strictly increase; every RPC callback runs exactly once (reply or timeout).
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "node/request.h"
#include "proto/body_writer.h"
#include "proto/message.h"

namespace squall::node {

struct Outgoing {
  std::string dest;
  std::string body;  // JSON object text
};

struct NodeLimits {
  size_t queued_before_init_max = 100'000;
  size_t pending_rpcs_max = 100'000;
  size_t logs_max = 10'000;  // between two take_logs(); beyond, lines are counted, not kept
};

struct NodeStats {
  uint64_t lines_in = 0;
  uint64_t malformed_lines = 0;
  uint64_t requests_in = 0;
  uint64_t replies_in = 0;
  uint64_t late_replies = 0;  // replies after their RPC timed out, or unknown in_reply_to
  uint64_t messages_out = 0;
  uint64_t errors_out = 0;
  uint64_t rpc_timeouts = 0;
  uint64_t logs_dropped = 0;
};

class Node {
 public:
  using Handler = std::function<void(const Request&)>;
  using RpcCallback = std::function<void(const RpcReply&)>;
  using TimerFn = std::function<void(int64_t now_ms)>;
  using InitFn = std::function<void(int64_t now_ms)>;
  using TimerId = uint64_t;

  explicit Node(NodeLimits limits = {}) : limits_(limits) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // --- Setup (before input) ---
  // Registers the handler of a request type. Precondition: not "init", not yet taken.
  void on(std::string type, Handler handler);
  bool handles(std::string_view type) const { return handlers_.find(type) != handlers_.end(); }
  // Runs once, right after init_ok is queued and before queued messages are replayed.
  void on_init(InitFn fn) { init_fns_.push_back(std::move(fn)); }

  // --- Inputs ---
  // Parses one line; a malformed one is logged with its content and skipped.
  void receive_line(std::string_view line, int64_t now_ms);
  void receive(proto::Message msg, int64_t now_ms);
  // Fires every timer and RPC timeout due at or before now_ms.
  void tick(int64_t now_ms);
  // When tick() must next be called; nullopt when nothing is scheduled.
  std::optional<int64_t> next_deadline_ms() const;

  // --- Outputs ---
  std::vector<Outgoing>& outbox() { return outbox_; }
  std::vector<std::string> take_logs();

  // --- Actions (from handlers, callbacks, timers) ---
  void reply(const Request& req, proto::BodyWriter& body);
  void reply(const ReplyTo& to, proto::BodyWriter& body);
  void reply_error(const ReplyTo& to, int code, std::string_view text);
  void reply_error(const Request& req, int code, std::string_view text) { reply_error(req.reply_to(), code, text); }
  // A one-way message (no msg_id, no reply expected).
  void send(std::string_view dest, proto::BodyWriter& body);
  // Sends with a fresh msg_id; `callback` runs once with the reply or, after timeout_ms,
  // with RpcReply::timeout(). Returns the msg_id.
  int64_t rpc(std::string_view dest, proto::BodyWriter& body, int64_t timeout_ms, RpcCallback callback);
  TimerId after(int64_t delay_ms, TimerFn fn);
  TimerId every(int64_t period_ms, TimerFn fn);
  void cancel(TimerId id);
  void log(std::string line);

  // --- State ---
  bool initialized() const { return initialized_; }
  const std::string& node_id() const { return node_id_; }
  // The src of outgoing messages: node_id(), or before init the dest the last message
  // was addressed to (so that early error replies still name us).
  const std::string& self_id() const { return initialized_ ? node_id_ : addressed_as_; }
  // Shared with every other Node of this thread that was given the same list (see
  // handle_init): the vector never changes once set.
  const std::vector<std::string>& node_ids() const;
  // Where node_id() first appears in node_ids(); kNotListed when it does not (or before
  // init). Found in constant time, so n nodes do not scan n ids each.
  static constexpr size_t kNotListed = SIZE_MAX;
  size_t node_index() const { return node_index_; }
  // node_ids and their positions, shared by the nodes given the same list (node.cc).
  struct SharedIds;
  // The time of the input being processed (or of the last one).
  int64_t now_ms() const { return now_ms_; }
  const NodeStats& stats() const { return stats_; }
  size_t pending_rpcs() const { return pending_.size(); }

 private:
  struct Timer {
    TimerFn fn;
    int64_t period_ms;  // 0: one-shot
    int64_t deadline_ms;
  };
  // Min-heaps of (deadline, id): ties go by id, i.e. by creation. An entry whose RPC
  // was answered or whose timer was cancelled stays until it reaches the top, where
  // drop_stale() removes it, so the top is always live (next_deadline_ms() is exact).
  struct Deadline {
    int64_t at;
    uint64_t id;
    bool operator>(const Deadline& o) const { return at != o.at ? at > o.at : id > o.id; }
  };
  struct PendingRpc {
    RpcCallback callback;
    int64_t deadline_ms;
  };

  void dispatch(const proto::Message& msg);
  void handle_init(const proto::Message& msg);
  void handle_reply(const proto::Message& msg);
  void emit(std::string_view dest, std::string body);
  void advance(int64_t now_ms);
  TimerId schedule(int64_t delay_ms, int64_t period_ms, TimerFn fn);
  bool rpc_live(const Deadline& d) const { return pending_.count(static_cast<int64_t>(d.id)) > 0; }
  bool timer_live(const Deadline& d) const;
  void drop_stale();

  NodeLimits limits_;
  NodeStats stats_;
  // Looked up by the message's string_view type without building a std::string.
  struct TypeHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Handler, TypeHash, std::equal_to<>> handlers_;
  std::vector<InitFn> init_fns_;
  bool initialized_ = false;
  std::string node_id_;
  std::string addressed_as_;
  std::shared_ptr<const SharedIds> ids_;
  size_t node_index_ = kNotListed;
  static const std::vector<std::string> kNoIds;
  std::deque<proto::Message> before_init_;
  int64_t now_ms_ = 0;
  int64_t next_msg_id_ = 1;
  std::unordered_map<int64_t, PendingRpc> pending_;
  // Min-heap (see Deadline); id: msg_id.
  std::vector<Deadline> rpc_deadlines_;
  TimerId next_timer_id_ = 1;
  std::unordered_map<TimerId, Timer> timers_;  // node-based: entries stay put
  // The periodic timer whose callback is running (0: none), and whether that callback
  // cancelled it: its function is then destroyed only once it returns.
  TimerId firing_ = 0;
  bool firing_cancelled_ = false;
  // Heap entries of timers cancelled before their deadline: while 0 (gossip never
  // cancels), the top is live without a look-up.
  size_t stale_timer_entries_ = 0;
  std::vector<Deadline> timer_deadlines_;  // min-heap; id: TimerId
  std::vector<Outgoing> outbox_;
  std::vector<std::string> logs_;
};

}  // namespace squall::node
