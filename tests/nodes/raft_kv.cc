// raft_kv: a small leader-based lin-kv node written for Squall's own tests.
//
// It exists to show that a node which forwards client requests is judged correctly: a
// follower hands a client's request to the leader keeping the client's "src", and the
// leader answers the client directly, as Raft followers do. Simplifications: the leader
// is fixed (n0) and never changes, so there are no elections and no log conflicts; the
// leader replicates an append-only log and applies an entry once a majority holds it.
//
// Linearizability: every operation (reads too) goes through the leader's log and takes
// effect when its entry is applied, in log order, between the request and the reply.
// Unavailability is answered honestly: error 11 (temporarily unavailable, a definite
// error) only when the request was not and will never be appended: a follower that has
// not heard from the leader recently, or a leader that has not heard from a majority.
// A request lost in a partition after that check just times out (indeterminate).
//
// Wire: stdin / stdout JSON lines, logs on stderr. Peers talk with "append" {from,
// entries: [[op, key, a, b], ...]} and "append_ok" {match}. One thread, poll() ticks.
#include <poll.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr int64_t kTickMs = 25;
constexpr int64_t kFreshMs = 300;  // how recent contact must be to count as reachable
constexpr size_t kEntriesPerAppend = 200;

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string quote(const std::string& s) {
  rapidjson::Value v(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  return json(v);
}

void send_line(const std::string& src, const std::string& dest, const std::string& body) {
  std::string line = "{\"src\":" + quote(src) + ",\"dest\":" + quote(dest) + ",\"body\":" + body + "}\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

struct Entry {
  std::string op, key, a, b;  // JSON texts; a = value (write) or from (cas), b = to (cas)
};

struct Waiter {
  std::string client;
  int64_t msg_id = 0;
};

class RaftKv {
 public:
  void on_line(const std::string& line) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("body") || !d["body"].IsObject() || !d.HasMember("src") ||
        !d["src"].IsString()) {
      std::fprintf(stderr, "ignoring malformed line: %s\n", line.c_str());
      return;
    }
    const rapidjson::Value& body = d["body"];
    std::string src = d["src"].GetString();
    std::string type = body.HasMember("type") && body["type"].IsString() ? body["type"].GetString() : "";
    int64_t msg_id = body.HasMember("msg_id") && body["msg_id"].IsInt64() ? body["msg_id"].GetInt64() : 0;
    if (type == "init") {
      id_ = body["node_id"].GetString();
      for (const auto& n : body["node_ids"].GetArray()) nodes_.push_back(n.GetString());
      leader_ = nodes_.front();
      reply(src, msg_id, "{\"type\":\"init_ok\"");
      std::fprintf(stderr, "%s initialised; leader is %s\n", id_.c_str(), leader_.c_str());
    } else if (id_.empty()) {
      // Nodes start in parallel; peer traffic before init is just heartbeats, resent anyway.
    } else if (type == "append") {
      on_append(src, body);
    } else if (type == "append_ok") {
      on_append_ok(src, body["match"].GetInt64());
    } else if (type == "read" || type == "write" || type == "cas") {
      on_client(src, msg_id, type, body, line);
    } else {
      reply(src, msg_id, "{\"type\":\"error\",\"code\":10,\"text\":\"unsupported\"");
    }
    std::fflush(stdout);
  }

  void tick() {
    if (id_.empty() || id_ != leader_) return;
    for (const auto& f : nodes_)
      if (f != id_) send_append(f);
    std::fflush(stdout);
  }

 private:
  bool leader() const { return id_ == leader_; }

  void reply(const std::string& dest, int64_t in_reply_to, const std::string& body_prefix) {
    send_line(id_, dest, body_prefix + ",\"in_reply_to\":" + std::to_string(in_reply_to) + "}");
  }

  void unavailable(const std::string& client, int64_t msg_id, const char* why) {
    reply(client, msg_id, std::string("{\"type\":\"error\",\"code\":11,\"text\":") + quote(why));
  }

  void on_client(const std::string& client, int64_t msg_id, const std::string& type, const rapidjson::Value& body,
                 const std::string& line) {
    int64_t now = now_ms();
    if (!leader()) {
      if (now - last_heard_ms_ > kFreshMs) return unavailable(client, msg_id, "the leader is unreachable");
      // Forward as is, keeping the client's src: the leader answers the client directly.
      rapidjson::Document d;
      d.Parse(line.c_str(), line.size());
      send_line(client, leader_, json(d["body"]));
      return;
    }
    size_t fresh = 1;
    for (const auto& [f, t] : last_ack_ms_)
      if (now - t <= kFreshMs) ++fresh;
    if (fresh < nodes_.size() / 2 + 1) return unavailable(client, msg_id, "the leader cannot reach a majority");
    Entry e{type, json(body["key"]), "null", "null"};
    if (type == "write") e.a = json(body["value"]);
    if (type == "cas") {
      e.a = json(body["from"]);
      e.b = json(body["to"]);
    }
    log_.push_back(e);
    waiters_[log_.size()] = Waiter{client, msg_id};
    for (const auto& f : nodes_)
      if (f != id_) send_append(f);
  }

  void send_append(const std::string& follower) {
    size_t from = match_[follower] + 1;  // 1-based log positions
    std::string entries = "[";
    for (size_t i = from; i <= log_.size() && i < from + kEntriesPerAppend; ++i) {
      const Entry& e = log_[i - 1];
      entries += (i > from ? "," : "") + std::string("[") + quote(e.op) + "," + e.key + "," + e.a + "," + e.b + "]";
    }
    entries += "]";
    send_line(id_, follower, "{\"type\":\"append\",\"from\":" + std::to_string(from) + ",\"entries\":" + entries + "}");
  }

  void on_append(const std::string& leader, const rapidjson::Value& body) {
    last_heard_ms_ = now_ms();
    size_t from = static_cast<size_t>(body["from"].GetInt64());
    const auto& entries = body["entries"].GetArray();
    if (from <= log_.size() + 1) {
      for (size_t k = log_.size() + 1 - from; k < entries.Size(); ++k) {
        const auto& e = entries[static_cast<rapidjson::SizeType>(k)];
        log_.push_back(Entry{e[0].GetString(), json(e[1]), json(e[2]), json(e[3])});
      }
    }
    send_line(id_, leader, "{\"type\":\"append_ok\",\"match\":" + std::to_string(log_.size()) + "}");
  }

  void on_append_ok(const std::string& follower, int64_t match) {
    last_ack_ms_[follower] = now_ms();
    match_[follower] = std::max(match_[follower], static_cast<size_t>(match));
    std::vector<size_t> held{log_.size()};
    for (const auto& f : nodes_)
      if (f != id_) held.push_back(match_[f]);
    std::sort(held.rbegin(), held.rend());
    size_t commit = held[nodes_.size() / 2];  // the majority-th largest
    while (applied_ < commit) apply(++applied_);
  }

  void apply(size_t index) {
    const Entry& e = log_[index - 1];
    std::string answer;
    auto it = kv_.find(e.key);
    if (e.op == "read") {
      answer = it == kv_.end() ? "{\"type\":\"error\",\"code\":20,\"text\":\"no such key\""
                               : "{\"type\":\"read_ok\",\"value\":" + it->second;
    } else if (e.op == "write") {
      kv_[e.key] = e.a;
      answer = "{\"type\":\"write_ok\"";
    } else if (it == kv_.end()) {
      answer = "{\"type\":\"error\",\"code\":20,\"text\":\"no such key\"";
    } else if (it->second != e.a) {
      answer = "{\"type\":\"error\",\"code\":22,\"text\":\"value differs\"";
    } else {
      it->second = e.b;
      answer = "{\"type\":\"cas_ok\"";
    }
    auto w = waiters_.find(index);
    if (w == waiters_.end()) return;
    reply(w->second.client, w->second.msg_id, answer);
    waiters_.erase(w);
  }

  std::string id_, leader_;
  std::vector<std::string> nodes_;
  std::vector<Entry> log_;
  size_t applied_ = 0;
  std::map<std::string, std::string> kv_;       // key JSON -> value JSON (leader's state machine)
  std::map<size_t, Waiter> waiters_;            // log position -> client to answer (leader)
  std::map<std::string, size_t> match_;         // follower -> entries it holds (leader)
  std::map<std::string, int64_t> last_ack_ms_;  // follower -> last append_ok (leader)
  int64_t last_heard_ms_ = -1'000'000;          // last append from the leader (follower)
};

}  // namespace

int main() {
  RaftKv node;
  std::string pending;
  char buf[65536];
  int64_t next_tick = now_ms();
  while (true) {
    int64_t wait = std::max<int64_t>(0, next_tick - now_ms());
    pollfd p{0, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(wait));
    if (r > 0) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0) return 0;  // stdin closed: the run is over
      pending.append(buf, static_cast<size_t>(n));
      size_t start = 0, nl;
      while ((nl = pending.find('\n', start)) != std::string::npos) {
        node.on_line(pending.substr(start, nl - start));
        start = nl + 1;
      }
      pending.erase(0, start);
    }
    if (now_ms() >= next_tick) {
      node.tick();
      next_tick = now_ms() + kTickMs;
    }
  }
}
