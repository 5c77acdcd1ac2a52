// GossipConfig: the timing and size knobs of maelstrom_gossip's replication.
//
// Defaults are tuned for Maelstrom's broadcast efficiency challenge (25 nodes, 100 ms
// latency; measured in broadcast_test.cc: about 10 messages per op, every message on
// every node within ~450 ms): a gossip batch per peer at most every gossip_ms, full anti-entropy with one
// random peer every anti_entropy_ms, retransmission of unacknowledged batches with
// exponential backoff between retransmit_ms and retransmit_max_ms. Plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace squall::gossip {

struct GossipConfig {
  int64_t gossip_ms = 50;
  int64_t anti_entropy_ms = 1000;
  int64_t retransmit_ms = 500;
  int64_t retransmit_max_ms = 4000;
  size_t batch_max = 4096;    // elements per gossip batch
  size_t sync_max = 100'000;  // elements per anti-entropy message
  int64_t service_timeout_ms = 2000;
  uint64_t seed = 0;  // mixed with the node id, so nodes draw differently
  // Empty: infer the workload from the messages seen (see Server). Otherwise one of
  // "broadcast", "g-set", "g-counter", "pn-counter".
  std::string workload;
};

}  // namespace squall::gossip
