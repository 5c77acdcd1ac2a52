// Kafka: the kafka-style log workload (send / poll / commit_offsets /
// list_committed_offsets), correct on one node and on several.
//
// Offsets: on several nodes, each key's offsets are handed out in ranges. A range
// [p, q) belongs to whoever creates the lin-kv key "kafka/at/<key>/<p>" with the value
// [q, "<node>:<claim>"] (cas with create_if_not_exists, so exactly one creator wins).
// Ranges tile the offsets from 0: a claim is only ever made at 0 or at the end of a range,
// so offsets have no gaps and no two sends share one. A claimant that cannot tell whether
// its claim applied (the reply was lost, or a duplicate's refusal answered first) resends
// the identical claim and reads the key back: the claim's unique name says whose range it
// is, so a claimed range is always filled by its owner, and polls never wait forever at
// an offset nobody writes. Messages: stored as [key, offset, msg, end] elements of a
// SetReplica ("kf_*" gossip), so every node eventually holds every acknowledged message;
// `end` (the end of the range the offset came from) tells other nodes where the next
// free range may start, so they rarely claim a taken one.
// On a single node offsets are allocated locally (nothing to agree on).
// Polls return, per key, the run of consecutive offsets starting at the requested one
// (up to poll_max), never skipping an offset this node has not received yet — a poll
// may lag but never hides a message behind a later one.
// Committed offsets: on several nodes, "kafka/commit/<key>" in lin-kv, only ever raised
// (read, then cas); on one node, a local map.
// Fault kafka-local-offsets: allocate per node even on several nodes (duplicates and
// conflicting offsets follow).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gossip/config.h"
#include "gossip/faults.h"
#include "gossip/set_replica.h"
#include "node/kv_client.h"
#include "node/node.h"

namespace squall::gossip {

class Kafka {
 public:
  static constexpr size_t kPollMax = 1000;       // messages per key per poll
  static constexpr size_t kAllocBatchMax = 128;  // sends claimed by one range
  static constexpr int kCasAttemptsMax = 100;    // ranges lost to others before a send fails with error 11
  // Every call kafka makes to lin-kv is safe to repeat (claims by their name, reads,
  // commits that only raise), so a lost message costs a short wait and a resend: the
  // timeout follows the measured round trip between kServiceTimeoutMinMs and
  // kServiceTimeoutMaxMs, and a read or commit is tried up to kServiceAttemptsMax times
  // before the client is told.
  static constexpr int64_t kServiceTimeoutMinMs = 100;
  static constexpr int64_t kServiceTimeoutMaxMs = 1000;
  static constexpr int kServiceAttemptsMax = 4;

  Kafka(node::Node& node, const GossipConfig& config, const Faults& faults);
  Kafka(const Kafka&) = delete;
  Kafka& operator=(const Kafka&) = delete;

  // Messages this node holds for `key`, by offset (for tests).
  const std::map<int64_t, std::string>* log(std::string_view key) const;

 private:
  struct PendingSend {
    node::ReplyTo to;
    std::string msg_json;
  };
  // The range this node is claiming for a key: [at, end) under the unique name `owner`,
  // for the first `sends` waiting sends.
  struct Claim {
    int64_t at = 0;
    int64_t end = 0;
    size_t sends = 0;
    std::string owner;
  };
  struct KeyState {
    std::map<int64_t, std::string> msgs;  // offset -> msg JSON
    int64_t local_next = 0;               // single-node / fault allocation
    int64_t next_guess = 0;               // a range start no claim is known to have taken
    std::deque<PendingSend> waiting;
    std::optional<Claim> claim;  // in flight: no other claim for this key until it settles
    int attempts = 0;
    int64_t committed = -1;  // single-node / fault commits
  };

  bool local_offsets() const;
  void handle_send(const node::Request& req);
  void handle_poll(const node::Request& req);
  void handle_commit(const node::Request& req);
  void handle_list(const node::Request& req);
  void store(const std::string& key, int64_t offset, int64_t end, const PendingSend& send);
  void on_element(std::string_view json);
  void pump(const std::string& key);
  void send_claim(const std::string& key);
  void read_claim(const std::string& key);
  void claim_won(const std::string& key);
  void claim_lost(const std::string& key, int64_t taken_until);
  void fail_waiting(KeyState& k, size_t n, int code, const std::string& text);
  void commit_max(const std::string& key, int64_t offset, int attempts, std::function<void(int code)> done);
  // The committed offset of `key` in lin-kv (nullopt: none yet); ok false when lin-kv
  // did not answer.
  void read_committed(const std::string& key, int attempts, std::function<void(std::optional<int64_t>, bool ok)> done);

  // A lin-kv client with the current timeout, and a callback wrapper that measures the
  // round trip of every answered call.
  node::KvClient kv() const;
  node::KvClient::Callback timed(node::KvClient::Callback cb);

  node::Node& node_;
  const Faults& faults_;
  int64_t timeout_max_ms_;
  int64_t rtt_ms_ = -1;  // smoothed round trip to lin-kv; -1 until an answer came
  SetReplica replica_;
  std::map<std::string, KeyState, std::less<>> keys_;
  uint64_t claims_made_ = 0;  // names this node's claims uniquely
};

}  // namespace squall::gossip
