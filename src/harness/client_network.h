// ClientNetwork: what a ClientPool needs of the network its clients send on.
//
// `squall test` gives it the Router (node processes); `squall sim -w` gives it the
// in-process router of src/msim (node cores on virtual time). Keeping the pool behind
// this seam means both commands turn requests, replies, errors and time-outs into ops
// with the one piece of code. Not thread-safe, like its implementations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/protocol_error.h"

namespace squall::harness {

class ClientNetwork {
 public:
  virtual ~ClientNetwork() = default;
  // Adds a client endpoint named `name`; returns its endpoint index.
  virtual int add_client(const std::string& name) = 0;
  // Sends `body` (which carries its msg_id) from client endpoint `client` to node `node`.
  virtual void send_from_client(int client, int node, std::string_view body, int64_t now) = 0;
  virtual const std::vector<std::string>& node_names() const = 0;
  virtual int node_count() const = 0;
  // The name of endpoint `endpoint` (a node, a service or a client).
  virtual const std::string& endpoint_name(int endpoint) const = 0;
  // Records a protocol violation by `endpoint`.
  virtual void protocol_error(int endpoint, ProtocolErrorKind kind, const std::string& detail,
                              std::string_view line) = 0;
};

}  // namespace squall::harness
