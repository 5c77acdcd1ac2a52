// LinKvProxy: serves the lin-kv workload by forwarding read/write/cas to the lin-kv
// service, which is linearizable, so the node is too.
//
// Replies carry the service's value or its error (code and text unchanged: 20 missing
// key, 22 cas mismatch); a service timeout becomes error 0 (indefinite: the write may
// have happened). The lin-kv-via fault forwards to seq-kv or lww-kv instead, which
// breaks linearizability. Registers read?/write/cas on construction; `read` is shared
// with other workloads, so the Server calls handle_read() for reads that carry a key.
// Not thread-safe.
#pragma once

#include "gossip/config.h"
#include "gossip/faults.h"
#include "node/kv_client.h"
#include "node/node.h"

namespace squall::gossip {

class LinKvProxy {
 public:
  LinKvProxy(node::Node& node, const GossipConfig& config, const Faults& faults);

  void handle_read(const node::Request& req);

 private:
  void handle_write(const node::Request& req);
  void handle_cas(const node::Request& req);
  // Answers `to` with `ok_type` (+ value when `with_value`) or the service's error.
  node::KvClient::Callback forward(node::ReplyTo to, const char* ok_type, bool with_value);

  node::Node& node_;
  node::KvClient kv_;
};

}  // namespace squall::gossip
