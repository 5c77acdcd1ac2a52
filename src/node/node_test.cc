#include "node/node.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace squall::node {
namespace {

const char* kInit =
    R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}})";

// Drains the outbox as "dest body" strings.
std::vector<std::string> drain(Node& n) {
  std::vector<std::string> out;
  for (const Outgoing& o : n.outbox()) out.push_back(o.dest + " " + o.body);
  n.outbox().clear();
  return out;
}

void add_echo(Node& n) {
  n.on("echo", [&n](const Request& req) {
    proto::BodyWriter w("echo_ok");
    w.put_value("echo", *proto::member(req.body(), "echo"));
    n.reply(req, w);
  });
}

// Thousands of simulated nodes in one process get the same node_ids: they must share
// one list, not hold a copy each (10,000 nodes × 10,000 ids took over 3 GB).
TEST(Node, NodesGivenTheSameIdsShareOneList) {
  Node a, b, c;
  a.receive_line(kInit, 0);
  b.receive_line(R"({"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n0","n1"]}})",
                 0);
  EXPECT_EQ(&a.node_ids(), &b.node_ids());
  c.receive_line(
      R"({"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n0","n1","n2"]}})", 0);
  EXPECT_NE(&a.node_ids(), &c.node_ids());
  EXPECT_EQ(c.node_ids(), (std::vector<std::string>{"n0", "n1", "n2"}));
  EXPECT_EQ(a.node_ids(), (std::vector<std::string>{"n0", "n1"}));
  Node fresh;
  EXPECT_TRUE(fresh.node_ids().empty());
  // Each node's own position comes with the shared list.
  EXPECT_EQ(a.node_index(), 0u);
  EXPECT_EQ(b.node_index(), 1u);
  EXPECT_EQ(c.node_index(), 1u);
  EXPECT_EQ(fresh.node_index(), Node::kNotListed);
  Node dup, absent;
  dup.receive_line(
      R"({"src":"c1","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n0","n1"]}})", 0);
  EXPECT_EQ(dup.node_index(), 0u);  // the first appearance
  absent.receive_line(
      R"({"src":"c1","dest":"n7","body":{"type":"init","msg_id":1,"node_id":"n7","node_ids":["n0","n1"]}})", 0);
  EXPECT_EQ(absent.node_index(), Node::kNotListed);
}

TEST(Node, InitThenEcho) {
  Node n;
  add_echo(n);
  n.receive_line(kInit, 0);
  EXPECT_TRUE(n.initialized());
  EXPECT_EQ(n.node_id(), "n0");
  EXPECT_EQ(n.node_ids(), (std::vector<std::string>{"n0", "n1"}));
  n.receive_line(R"({"id":7,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":"hi"}})", 1);
  EXPECT_EQ(drain(n), (std::vector<std::string>{R"(c0 {"type":"init_ok","in_reply_to":1})",
                                                R"(c1 {"type":"echo_ok","echo":"hi","in_reply_to":1})"}));
}

TEST(Node, QueuesMessagesBeforeInitAndReplaysThemInOrder) {
  Node n;
  add_echo(n);
  bool init_ran = false;
  n.on_init([&](int64_t) { init_ran = true; });
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"echo","msg_id":5,"echo":1}})", 0);
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"nope","msg_id":6}})", 0);
  EXPECT_TRUE(drain(n).empty());
  EXPECT_FALSE(init_ran);
  n.receive_line(kInit, 1);
  EXPECT_TRUE(init_ran);
  EXPECT_EQ(drain(n),
            (std::vector<std::string>{
                R"(c0 {"type":"init_ok","in_reply_to":1})", R"(n1 {"type":"echo_ok","echo":1,"in_reply_to":5})",
                R"(n1 {"type":"error","code":10,"text":"unsupported message type \"nope\"","in_reply_to":6})"}));
}

TEST(Node, PreInitQueueIsBounded) {
  Node n(NodeLimits{.queued_before_init_max = 1});
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"echo","msg_id":1}})", 0);
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"echo","msg_id":2}})", 0);
  auto out = drain(n);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("\"code\":11"), std::string::npos) << out[0];
  EXPECT_EQ(n.self_id(), "n0");
}

TEST(Node, ErrorsForUnknownTypeMissingTypeAndBadInit) {
  Node n;
  n.receive_line(R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0"}})", 0);
  EXPECT_FALSE(n.initialized());
  n.receive_line(kInit, 0);
  n.receive_line(R"({"src":"c1","dest":"n0","body":{"type":"frob","msg_id":2}})", 0);
  n.receive_line(R"({"src":"c1","dest":"n0","body":{"msg_id":3}})", 0);
  n.receive_line(R"({"src":"c1","dest":"n0","body":{"type":"frob"}})", 0);  // no msg_id: no reply
  EXPECT_EQ(
      drain(n),
      (std::vector<std::string>{
          R"(c0 {"type":"error","code":12,"text":"init requires a string node_id and an array of strings node_ids","in_reply_to":1})",
          R"(c0 {"type":"init_ok","in_reply_to":1})",
          R"(c1 {"type":"error","code":10,"text":"unsupported message type \"frob\"","in_reply_to":2})",
          R"(c1 {"type":"error","code":12,"text":"message body lacks a string \"type\"","in_reply_to":3})"}));
  EXPECT_EQ(n.stats().errors_out, 3u);
}

TEST(Node, MalformedLinesAreLoggedWithContentAndSkipped) {
  Node n;
  add_echo(n);
  n.receive_line(kInit, 0);
  drain(n);
  n.receive_line("garbage {", 1);
  n.receive_line(R"({"src":"c1","body":{"type":"echo"}})", 1);
  n.receive_line(R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":"x"}})", 1);
  EXPECT_TRUE(drain(n).empty());
  auto logs = n.take_logs();
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_NE(logs[0].find("garbage {"), std::string::npos) << logs[0];
  EXPECT_NE(logs[1].find("dest"), std::string::npos) << logs[1];
  EXPECT_EQ(n.stats().malformed_lines, 3u);
  n.receive_line(R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":9,"echo":[1]}})", 2);
  EXPECT_EQ(drain(n), (std::vector<std::string>{R"(c1 {"type":"echo_ok","echo":[1],"in_reply_to":9})"}));
}

TEST(Node, SecondInitIsIdempotentButCannotRename) {
  Node n;
  n.receive_line(kInit, 0);
  n.receive_line(kInit, 0);
  n.receive_line(R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":2,"node_id":"n1","node_ids":["n1"]}})", 0);
  auto out = drain(n);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1], R"(c0 {"type":"init_ok","in_reply_to":1})");
  EXPECT_NE(out[2].find("\"code\":12"), std::string::npos);
  EXPECT_EQ(n.node_id(), "n0");
}

TEST(Node, RpcAllocatesIncreasingIdsAndRoutesReplies) {
  Node n;
  n.receive_line(kInit, 0);
  drain(n);
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    proto::BodyWriter w("ping");
    int64_t id = n.rpc("n1", w, 100,
                       [&got](const RpcReply& r) { got.push_back(r.timed_out() ? "timeout" : std::string(r.type())); });
    EXPECT_EQ(id, i + 1);
  }
  EXPECT_EQ(drain(n),
            (std::vector<std::string>{R"(n1 {"type":"ping","msg_id":1})", R"(n1 {"type":"ping","msg_id":2})"}));
  EXPECT_EQ(n.next_deadline_ms(), 100);
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"pong","in_reply_to":2}})", 10);
  EXPECT_EQ(got, (std::vector<std::string>{"pong"}));
  n.tick(99);
  EXPECT_EQ(got.size(), 1u);
  n.tick(100);
  EXPECT_EQ(got, (std::vector<std::string>{"pong", "timeout"}));
  // A late reply is counted, not delivered, and never answered.
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"pong","in_reply_to":1}})", 101);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(n.stats().late_replies, 1u);
  EXPECT_TRUE(drain(n).empty());
  EXPECT_FALSE(n.next_deadline_ms().has_value());
}

TEST(Node, ErrorRepliesReachCallbacks) {
  Node n;
  n.receive_line(kInit, 0);
  int code = -1;
  proto::BodyWriter w("read");
  n.rpc("lin-kv", w, 100, [&code](const RpcReply& r) { code = r.is_error() ? r.error_code() : -2; });
  n.receive_line(R"({"src":"lin-kv","dest":"n0","body":{"type":"error","in_reply_to":1,"code":20,"text":"x"}})", 1);
  EXPECT_EQ(code, 20);
}

TEST(Node, PendingRpcLimitFailsViaTimeoutWithoutSending) {
  Node n(NodeLimits{.pending_rpcs_max = 1});
  n.receive_line(kInit, 0);
  drain(n);
  int timeouts = 0;
  for (int i = 0; i < 2; ++i) {
    proto::BodyWriter w("x");
    n.rpc("n1", w, 1000, [&timeouts](const RpcReply& r) { timeouts += r.timed_out(); });
  }
  EXPECT_EQ(drain(n).size(), 1u);
  n.tick(0);
  EXPECT_EQ(timeouts, 1);
}

TEST(Node, TimersFireInOrderAndPeriodicOnesRepeat) {
  Node n;
  std::vector<std::string> fired;
  Node::TimerId p = n.every(10, [&](int64_t t) { fired.push_back("p" + std::to_string(t)); });
  n.after(15, [&](int64_t t) { fired.push_back("a" + std::to_string(t)); });
  Node::TimerId c = n.after(12, [&](int64_t) { fired.push_back("cancelled"); });
  n.cancel(c);
  EXPECT_EQ(n.next_deadline_ms(), 10);
  n.tick(10);
  n.tick(15);
  n.tick(20);
  // A late tick fires a periodic timer once, not once per missed period.
  n.tick(75);
  n.cancel(p);
  n.tick(200);
  EXPECT_EQ(fired, (std::vector<std::string>{"p10", "a15", "p20", "p75"}));
  EXPECT_FALSE(n.next_deadline_ms().has_value());
}

// The simulator wakes a node at next_deadline_ms(): an answered RPC or a cancelled
// timer must never leave an earlier deadline behind, even once other entries fire.
TEST(Node, NextDeadlineSkipsAnsweredRpcsAndCancelledTimers) {
  Node n;
  n.receive_line(kInit, 0);
  drain(n);
  std::vector<std::string> fired;
  proto::BodyWriter w("ping");
  n.rpc("n1", w, 10, [&](const RpcReply& r) { fired.push_back(r.timed_out() ? "rpc-timeout" : "rpc-reply"); });
  n.after(20, [&](int64_t t) { fired.push_back("a" + std::to_string(t)); });
  Node::TimerId b = n.after(25, [&](int64_t) { fired.push_back("cancelled"); });
  n.after(40, [&](int64_t t) { fired.push_back("c" + std::to_string(t)); });
  EXPECT_EQ(n.next_deadline_ms(), 10);
  n.receive_line(R"({"src":"n1","dest":"n0","body":{"type":"pong","in_reply_to":1}})", 5);
  EXPECT_EQ(n.next_deadline_ms(), 20);
  n.cancel(b);
  EXPECT_EQ(n.next_deadline_ms(), 20);
  n.tick(20);
  EXPECT_EQ(n.next_deadline_ms(), 40);  // not 25: b was cancelled
  n.tick(40);
  EXPECT_FALSE(n.next_deadline_ms().has_value());
  EXPECT_EQ(fired, (std::vector<std::string>{"rpc-reply", "a20", "c40"}));
}

TEST(Node, TimerMayCancelItself) {
  Node n;
  int count = 0;
  Node::TimerId id = 0;
  id = n.every(5, [&](int64_t) {
    ++count;
    n.cancel(id);
  });
  n.tick(5);
  n.tick(10);
  EXPECT_EQ(count, 1);
}

// A periodic callback runs in place (not on a copy): after cancelling itself its
// captures must still be alive, and timers it adds must fire on their own schedule.
TEST(Node, PeriodicTimerCancellingItselfKeepsItsCapturesAndMayAddTimers) {
  Node n;
  std::vector<std::string> fired;
  Node::TimerId id = 0;
  id = n.every(5, [&, tag = std::string(64, 'x')](int64_t t) {
    n.cancel(id);
    fired.push_back(std::to_string(t) + ":" + std::to_string(tag.size()));
    n.every(7, [&](int64_t t2) { fired.push_back("q" + std::to_string(t2)); });
  });
  n.tick(5);
  n.tick(10);
  n.tick(12);
  n.tick(19);
  EXPECT_EQ(fired, (std::vector<std::string>{"5:64", "q12", "q19"}));
}

TEST(Node, ReplyWithoutMsgIdIsDropped) {
  Node n;
  n.receive_line(kInit, 0);
  drain(n);
  proto::BodyWriter w("x_ok");
  n.reply(ReplyTo{"n1", std::nullopt}, w);
  EXPECT_TRUE(drain(n).empty());
}

}  // namespace
}  // namespace squall::node
