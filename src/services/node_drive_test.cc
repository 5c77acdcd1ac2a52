// Drives the Python counter nodes of tests/services/nodes against the in-process seq-kv
// service: a miniature harness (pipes, no network model) whose only latency is a
// seeded-random delivery order of service requests. Checks the acceptance pair of
// issue 6 at the node level: the naive read-then-write counter loses adds, the
// cas-with-retries counter's final reads equal the sum of all adds.
#include <poll.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/assert.h"
#include "core/rng.h"
#include "core/testing/subprocess.h"
#include "services/service.h"

namespace squall::services {
namespace {

// A node process with its stdin and stdout on pipes; stderr is inherited. Lines in and
// out; the Subprocess ends it when the Child goes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv)
      : process_(squall::testing::Subprocess::start(argv, {.err = squall::testing::Stream::kInherit})) {
    SQ_ASSERT(process_.started());
  }

  void send(const std::string& line) {
    const bool written = process_.write(line + "\n");
    SQ_ASSERT(written);
  }

  int fd() const { return process_.stdout_fd(); }

  // Next complete output line, waiting up to timeout_ms; nullopt on timeout or EOF.
  std::optional<std::string> read_line(int timeout_ms) {
    return process_.read_line(std::chrono::milliseconds(timeout_ms));
  }

 private:
  squall::testing::Subprocess process_;
};

std::string envelope(const std::string& src, const std::string& dest, const std::string& body) {
  return R"({"src":")" + src + R"(","dest":")" + dest + R"(","body":)" + body + "}";
}

std::string to_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

class Cluster {
 public:
  Cluster(const std::string& script, int nodes, uint64_t seed) : kv_(make_service("seq-kv", seed)), rng_(seed) {
    std::string ids;
    for (int i = 0; i < nodes; ++i) ids += (i ? ",\"n" : "\"n") + std::to_string(i) + "\"";
    for (int i = 0; i < nodes; ++i) {
      nodes_.push_back(std::make_unique<Child>(std::vector<std::string>{SQUALL_PYTHON3, script}));
      std::string id = "n" + std::to_string(i);
      client(i, R"({"type":"init","node_id":")" + id + R"(","node_ids":[)" + ids + "]}");
    }
    for (const auto& r : pump(nodes)) EXPECT_EQ(r, R"({"type":"init_ok"})");
  }

  // Sends a client request to node i; its reply is collected by pump().
  void client(int i, const std::string& body_without_id) {
    std::string body = body_without_id;
    body.insert(1, R"("msg_id":)" + std::to_string(++msg_id_) + ",");
    nodes_[i]->send(envelope("c" + std::to_string(i), "n" + std::to_string(i), body));
  }

  // Writes one raw line to node i's stdin.
  void raw(int i, const std::string& line) { nodes_[i]->send(line); }

  // Relays messages until `want` client replies arrived; returns them (without
  // in_reply_to) in arrival order. Service requests are served in random order.
  std::vector<std::string> pump(size_t want) {
    std::vector<std::string> replies;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (replies.size() < want) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "nodes stopped answering; " << replies.size() << " of " << want << " replies";
        return replies;
      }
      bool got = false;
      for (size_t i = 0; i < nodes_.size(); ++i) {
        while (auto line = nodes_[i]->read_line(0)) {
          got = true;
          route(i, *line, &replies);
        }
      }
      if (!got && pending_.empty()) {
        // Nothing to do until some node writes: sleep on all their stdouts at once.
        std::vector<pollfd> fds;
        for (const auto& n : nodes_) fds.push_back(pollfd{n->fd(), POLLIN, 0});
        poll(fds.data(), fds.size(), 1000);
        continue;
      }
      if (!pending_.empty()) {
        size_t k = static_cast<size_t>(rng_.below(pending_.size()));
        auto [node, request] = pending_[k];
        pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(k));
        rapidjson::Document body;
        body.Parse(request.c_str());
        std::string src = "n" + std::to_string(node);
        std::string reply = kv_->handle(src, body, ++now_ms_);
        nodes_[node]->send(envelope("seq-kv", src, reply));
      }
    }
    return replies;
  }

 private:
  void route(size_t node, const std::string& line, std::vector<std::string>* replies) {
    rapidjson::Document msg;
    msg.Parse(line.c_str());
    ASSERT_FALSE(msg.HasParseError()) << "node wrote a non-JSON line: " << line;
    ASSERT_TRUE(msg.IsObject() && msg.HasMember("dest") && msg.HasMember("body")) << line;
    std::string dest = msg["dest"].GetString();
    if (dest == "seq-kv") {
      pending_.emplace_back(node, to_text(msg["body"]));
      return;
    }
    ASSERT_EQ(dest[0], 'c') << line;
    msg["body"].RemoveMember("in_reply_to");
    replies->push_back(to_text(msg["body"]));
  }

  std::vector<std::unique_ptr<Child>> nodes_;
  std::unique_ptr<Service> kv_;
  Rng rng_;
  std::vector<std::pair<size_t, std::string>> pending_;
  int msg_id_ = 0;
  int64_t now_ms_ = 0;
};

// Runs `rounds` rounds of concurrent adds on every node, then a final read on each.
// Returns the final read values; *sum gets the total of acknowledged adds.
std::vector<int64_t> run_counter(const std::string& script, int rounds, uint64_t seed, int64_t* sum) {
  const int kNodes = 2;
  Cluster cluster(std::string(SQUALL_SOURCE_DIR) + "/tests/services/nodes/" + script, kNodes, seed);
  *sum = 0;
  for (int r = 1; r <= rounds; ++r) {
    for (int i = 0; i < kNodes; ++i) cluster.client(i, R"({"type":"add","delta":)" + std::to_string(r) + "}");
    for (const auto& reply : cluster.pump(kNodes)) {
      EXPECT_EQ(reply, R"({"type":"add_ok"})");
      if (reply == R"({"type":"add_ok"})") *sum += r;
    }
  }
  std::vector<int64_t> finals;
  for (int i = 0; i < kNodes; ++i) cluster.client(i, R"({"type":"read"})");
  for (const auto& reply : cluster.pump(kNodes)) {
    rapidjson::Document d;
    d.Parse(reply.c_str());
    EXPECT_EQ(std::string(d["type"].GetString()), "read_ok") << reply;
    if (d.HasMember("value") && d["value"].IsInt64()) finals.push_back(d["value"].GetInt64());
  }
  return finals;
}

TEST(CounterNodesOnSeqKv, CasWithRetriesCountsEveryAdd) {
  int64_t sum = 0;
  auto finals = run_counter("counter_seqkv_cas.py", 30, 17, &sum);
  ASSERT_EQ(finals.size(), 2u);
  EXPECT_EQ(sum, 2 * (30 * 31 / 2));
  for (int64_t v : finals) EXPECT_EQ(v, sum);
}

TEST(CounterNodesOnSeqKv, NaiveReadThenWriteLosesAdds) {
  int64_t sum = 0;
  auto finals = run_counter("counter_seqkv_naive.py", 30, 17, &sum);
  ASSERT_EQ(finals.size(), 2u);
  EXPECT_EQ(sum, 2 * (30 * 31 / 2)) << "every add is acknowledged";
  for (int64_t v : finals) EXPECT_LT(v, sum) << "the naive counter should have lost adds";
}

TEST(CounterNodesOnSeqKv, NodesAnswerUnknownRequestsAndSurviveGarbage) {
  for (const char* script : {"counter_seqkv_naive.py", "counter_seqkv_cas.py"}) {
    Cluster cluster(std::string(SQUALL_SOURCE_DIR) + "/tests/services/nodes/" + script, 1, 1);
    cluster.raw(0, "this is not JSON");
    cluster.raw(0, R"({"src":"c0","dest":"n0","body":[1]})");
    cluster.client(0, R"({"type":"frobnicate"})");
    auto replies = cluster.pump(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_NE(replies[0].find(R"("code":10)"), std::string::npos) << replies[0];
  }
}

}  // namespace
}  // namespace squall::services
