#include "node/node.h"

#include <algorithm>
#include <functional>

#include "core/assert.h"
#include "proto/error_code.h"

namespace squall::node {

namespace {

// Log lines quote offending input, but never more than this much of it.
constexpr size_t kQuoteBytesMax = 512;

std::string quote(std::string_view s) {
  if (s.size() <= kQuoteBytesMax) return std::string(s);
  return std::string(s.substr(0, kQuoteBytesMax)) + "...(" + std::to_string(s.size()) + " bytes)";
}

bool same_ids(const std::vector<std::string>& have, const rapidjson::Value& ids) {
  if (have.size() != ids.Size()) return false;
  size_t i = 0;
  for (const auto& v : ids.GetArray()) {
    if (std::string_view(v.GetString(), v.GetStringLength()) != have[i++]) return false;
  }
  return true;
}

}  // namespace

struct Node::SharedIds {
  std::vector<std::string> ids;
  std::unordered_map<std::string_view, size_t> index;  // views into ids; first position
};

namespace {

// The node_ids list of the last init handled on this thread. A simulator runs thousands
// of nodes in one process, all given the same list: sharing it keeps one copy instead
// of n (at 10,000 nodes the copies alone took over 3 GB). Weak, so it never outlives
// its last node.
thread_local std::weak_ptr<const Node::SharedIds> last_node_ids;

std::shared_ptr<const Node::SharedIds> intern_ids(const rapidjson::Value& ids) {
  if (auto last = last_node_ids.lock(); last && same_ids(last->ids, ids)) return last;
  auto fresh = std::make_shared<Node::SharedIds>();
  fresh->ids.reserve(ids.Size());
  for (const auto& v : ids.GetArray()) fresh->ids.emplace_back(v.GetString(), v.GetStringLength());
  fresh->index.reserve(fresh->ids.size());
  for (size_t i = 0; i < fresh->ids.size(); ++i) fresh->index.emplace(fresh->ids[i], i);
  std::shared_ptr<const Node::SharedIds> out = std::move(fresh);
  last_node_ids = out;
  return out;
}

template <typename T>
void heap_push(std::vector<T>* heap, T v) {
  heap->push_back(v);
  std::push_heap(heap->begin(), heap->end(), std::greater<>());
}

template <typename T>
T heap_pop(std::vector<T>* heap) {
  std::pop_heap(heap->begin(), heap->end(), std::greater<>());
  T v = heap->back();
  heap->pop_back();
  return v;
}

}  // namespace

const std::vector<std::string> Node::kNoIds;

const std::vector<std::string>& Node::node_ids() const { return ids_ ? ids_->ids : kNoIds; }

void Node::on(std::string type, Handler handler) {
  SQ_ASSERT_MSG(type != "init", "init is handled by the node itself");
  bool inserted = handlers_.emplace(std::move(type), std::move(handler)).second;
  SQ_ASSERT_MSG(inserted, "handler registered twice");
}

void Node::receive_line(std::string_view line, int64_t now_ms) {
  advance(now_ms);
  stats_.lines_in++;
  Result<proto::Message> msg = proto::parse_message(line);
  if (!msg.ok()) {
    stats_.malformed_lines++;
    log("malformed line skipped (" + msg.error() + "): " + quote(line));
    return;
  }
  receive(std::move(msg).value(), now_ms);
}

void Node::receive(proto::Message msg, int64_t now_ms) {
  advance(now_ms);
  if (!initialized_) addressed_as_ = std::string(msg.dest());
  if (msg.in_reply_to()) {
    handle_reply(msg);
    return;
  }
  stats_.requests_in++;
  if (msg.type() == "init") {
    handle_init(msg);
    return;
  }
  if (!initialized_) {
    // Nodes start in parallel: a peer may talk to us before our own init arrives.
    if (before_init_.size() < limits_.queued_before_init_max) {
      before_init_.push_back(std::move(msg));
    } else {
      reply_error(ReplyTo{std::string(msg.src()), msg.msg_id()},
                  proto::code_of(proto::ErrorCode::kTemporarilyUnavailable),
                  "node not initialised yet and its queue is full");
    }
    return;
  }
  dispatch(msg);
}

void Node::dispatch(const proto::Message& msg) {
  ReplyTo to{std::string(msg.src()), msg.msg_id()};
  std::string_view type = msg.type();
  if (type.empty()) {
    reply_error(to, proto::code_of(proto::ErrorCode::kMalformedRequest), "message body lacks a string \"type\"");
    return;
  }
  auto it = handlers_.find(type);
  if (it == handlers_.end()) {
    reply_error(to, proto::code_of(proto::ErrorCode::kNotSupported),
                "unsupported message type \"" + std::string(type) + "\"");
    return;
  }
  it->second(Request(msg, now_ms_));
}

void Node::handle_init(const proto::Message& msg) {
  ReplyTo to{std::string(msg.src()), msg.msg_id()};
  std::optional<std::string_view> id = proto::get_string(msg.body(), "node_id");
  const rapidjson::Value* ids = proto::member(msg.body(), "node_ids");
  bool ids_ok = ids != nullptr && ids->IsArray();
  if (ids_ok) {
    for (const auto& v : ids->GetArray()) ids_ok = ids_ok && v.IsString();
  }
  if (!id || id->empty() || !ids_ok) {
    reply_error(to, proto::code_of(proto::ErrorCode::kMalformedRequest),
                "init requires a string node_id and an array of strings node_ids");
    return;
  }
  if (initialized_) {
    if (*id != node_id_) {
      reply_error(to, proto::code_of(proto::ErrorCode::kMalformedRequest),
                  "already initialised as " + node_id_ + "; refusing to become " + std::string(*id));
      return;
    }
    proto::BodyWriter ok("init_ok");
    reply(to, ok);
    return;
  }
  node_id_ = std::string(*id);
  ids_ = intern_ids(*ids);
  auto self = ids_->index.find(node_id_);
  node_index_ = self == ids_->index.end() ? kNotListed : self->second;
  initialized_ = true;
  proto::BodyWriter ok("init_ok");
  reply(to, ok);
  for (InitFn& fn : init_fns_) fn(now_ms_);
  std::deque<proto::Message> queued;
  queued.swap(before_init_);
  for (proto::Message& m : queued) dispatch(m);
}

void Node::handle_reply(const proto::Message& msg) {
  stats_.replies_in++;
  auto it = pending_.find(*msg.in_reply_to());
  if (it == pending_.end()) {
    stats_.late_replies++;
    return;
  }
  PendingRpc p = std::move(it->second);
  pending_.erase(it);
  drop_stale();
  p.callback(RpcReply::of(msg));
}

void Node::tick(int64_t now_ms) {
  advance(now_ms);
  while (!rpc_deadlines_.empty() && rpc_deadlines_.front().at <= now_ms) {
    auto msg_id = static_cast<int64_t>(heap_pop(&rpc_deadlines_).id);
    auto it = pending_.find(msg_id);
    if (it == pending_.end()) continue;  // answered before its deadline
    PendingRpc p = std::move(it->second);
    pending_.erase(it);
    stats_.rpc_timeouts++;
    p.callback(RpcReply::timeout());
  }
  while (!timer_deadlines_.empty() && timer_deadlines_.front().at <= now_ms) {
    Deadline d = heap_pop(&timer_deadlines_);
    TimerId id = d.id;
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.deadline_ms != d.at) {  // cancelled
      SQ_ASSERT_GT(stale_timer_entries_, 0u);
      --stale_timer_entries_;
      continue;
    }
    Timer& t = it->second;
    if (t.period_ms > 0) {
      // Keep the cadence, but never replay a burst of missed periods.
      t.deadline_ms = std::max(t.deadline_ms + t.period_ms, now_ms + 1);
      heap_push(&timer_deadlines_, Deadline{t.deadline_ms, id});
      // Runs in place (unordered_map entries stay put as timers are added); a callback that
      // cancels its own timer only marks it, and it is erased here once it returns.
      TimerId outer = firing_;
      bool outer_cancelled = firing_cancelled_;
      firing_ = id;
      firing_cancelled_ = false;
      t.fn(now_ms);
      bool cancelled = firing_cancelled_;
      firing_ = outer;
      firing_cancelled_ = outer_cancelled;
      if (cancelled) {
        timers_.erase(id);
        ++stale_timer_entries_;  // the entry pushed above
      }
    } else {
      TimerFn fn = std::move(t.fn);
      timers_.erase(it);
      fn(now_ms);
    }
  }
  drop_stale();
}

bool Node::timer_live(const Deadline& d) const {
  auto it = timers_.find(d.id);
  return it != timers_.end() && it->second.deadline_ms == d.at;
}

void Node::drop_stale() {
  while (!rpc_deadlines_.empty() && !rpc_live(rpc_deadlines_.front())) heap_pop(&rpc_deadlines_);
  while (stale_timer_entries_ > 0 && !timer_deadlines_.empty() && !timer_live(timer_deadlines_.front())) {
    heap_pop(&timer_deadlines_);
    --stale_timer_entries_;
  }
}

std::optional<int64_t> Node::next_deadline_ms() const {
  std::optional<int64_t> next;
  if (!rpc_deadlines_.empty()) next = rpc_deadlines_.front().at;
  if (!timer_deadlines_.empty()) {
    int64_t t = timer_deadlines_.front().at;
    if (!next || t < *next) next = t;
  }
  return next;
}

std::vector<std::string> Node::take_logs() {
  std::vector<std::string> out;
  out.swap(logs_);
  return out;
}

void Node::reply(const Request& req, proto::BodyWriter& body) { reply(req.reply_to(), body); }

void Node::reply(const ReplyTo& to, proto::BodyWriter& body) {
  if (!to.msg_id) return;  // the sender asked for no reply
  emit(to.dest, body.finish(std::nullopt, to.msg_id));
}

void Node::reply_error(const ReplyTo& to, int code, std::string_view text) {
  if (!to.msg_id) {
    log("error " + std::to_string(code) + " for a message from " + to.dest + " without msg_id: " + std::string(text));
    return;
  }
  stats_.errors_out++;
  proto::BodyWriter w("error");
  proto::error_body(w, code, text);
  reply(to, w);
}

void Node::send(std::string_view dest, proto::BodyWriter& body) { emit(dest, body.finish(std::nullopt, std::nullopt)); }

int64_t Node::rpc(std::string_view dest, proto::BodyWriter& body, int64_t timeout_ms, RpcCallback callback) {
  SQ_ASSERT_GT(timeout_ms, 0);
  int64_t msg_id = next_msg_id_++;
  int64_t deadline = now_ms_ + timeout_ms;
  if (pending_.size() >= limits_.pending_rpcs_max) {
    // Over the limit: do not send; let the next tick time it out so the caller's
    // callback still runs exactly once, outside this call.
    log("too many pending RPCs (" + std::to_string(pending_.size()) + "); failing one to " + std::string(dest));
    deadline = now_ms_;
  } else {
    emit(dest, body.finish(msg_id, std::nullopt));
  }
  pending_.emplace(msg_id, PendingRpc{std::move(callback), deadline});
  heap_push(&rpc_deadlines_, Deadline{deadline, static_cast<uint64_t>(msg_id)});
  return msg_id;
}

Node::TimerId Node::after(int64_t delay_ms, TimerFn fn) { return schedule(delay_ms, 0, std::move(fn)); }

Node::TimerId Node::every(int64_t period_ms, TimerFn fn) {
  SQ_ASSERT_GT(period_ms, 0);
  return schedule(period_ms, period_ms, std::move(fn));
}

Node::TimerId Node::schedule(int64_t delay_ms, int64_t period_ms, TimerFn fn) {
  SQ_ASSERT_GE(delay_ms, 0);
  TimerId id = next_timer_id_++;
  int64_t deadline = now_ms_ + delay_ms;
  timers_.emplace(id, Timer{std::move(fn), period_ms, deadline});
  heap_push(&timer_deadlines_, Deadline{deadline, id});
  return id;
}

void Node::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  if (id == firing_) {
    firing_cancelled_ = true;  // its callback is running: tick() erases it after
    return;
  }
  timers_.erase(it);
  ++stale_timer_entries_;
  drop_stale();
}

void Node::log(std::string line) {
  if (logs_.size() >= limits_.logs_max) {
    stats_.logs_dropped++;
    return;
  }
  logs_.push_back(std::move(line));
}

void Node::emit(std::string_view dest, std::string body) {
  stats_.messages_out++;
  outbox_.push_back(Outgoing{std::string(dest), std::move(body)});
}

void Node::advance(int64_t now_ms) {
  // Inputs may carry the same time or later; a driver that goes backwards is a bug.
  SQ_ASSERT_GE(now_ms, now_ms_);
  now_ms_ = now_ms;
}

}  // namespace squall::node
