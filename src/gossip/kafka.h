// Kafka: the kafka-style log workload (send / poll / commit_offsets /
// list_committed_offsets), correct on one node and on several.
//
// Offsets: on several nodes, each key's next offset lives in the lin-kv service under
// "kafka/next/<key>" and is claimed with cas (a batch of queued sends claims a run of
// consecutive offsets with one cas), so no two sends get the same offset and offsets
// have no gaps. On a single node offsets are allocated locally (nothing to agree on).
// Messages: stored as [key, offset, msg] elements of a SetReplica ("kf_*" gossip), so
// every node eventually holds every acknowledged message.
// Polls return, per key, the run of consecutive offsets starting at the requested one
// (up to poll_max), never skipping an offset this node has not received yet — a poll
// may lag but never hides a message behind a later one.
// Committed offsets: on several nodes, "kafka/commit/<key>" in lin-kv, only ever raised
// (read, then cas); on one node, a local map.
// Fault kafka-local-offsets: allocate per node even on several nodes (duplicates and
// conflicting offsets follow). Known limit: if the lin-kv service never answers a cas,
// the offsets it may have granted stay unused and polls stop at that gap.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
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
  static constexpr size_t kAllocBatchMax = 128;  // sends claimed by one cas
  static constexpr int kCasAttemptsMax = 100;    // before a send fails with error 11

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
  struct KeyState {
    std::map<int64_t, std::string> msgs;  // offset -> msg JSON
    int64_t local_next = 0;               // single-node / fault allocation
    int64_t next_guess = 0;               // last known value of kafka/next/<key>
    std::deque<PendingSend> waiting;
    bool busy = false;  // a cas or read for this key is in flight
    int attempts = 0;
    int64_t committed = -1;  // single-node / fault commits
  };

  bool local_offsets() const;
  void handle_send(const node::Request& req);
  void handle_poll(const node::Request& req);
  void handle_commit(const node::Request& req);
  void handle_list(const node::Request& req);
  void store(const std::string& key, int64_t offset, const PendingSend& send);
  void on_element(std::string_view json);
  void pump(const std::string& key);
  void refresh_next(const std::string& key);
  void fail_waiting(KeyState& k, size_t n, int code, const std::string& text);
  void commit_max(const std::string& key, int64_t offset, int attempts, std::function<void(int code)> done);

  node::Node& node_;
  const Faults& faults_;
  node::KvClient kv_;
  SetReplica replica_;
  std::map<std::string, KeyState, std::less<>> keys_;
};

}  // namespace squall::gossip
