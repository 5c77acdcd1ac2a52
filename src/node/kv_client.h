// KvClient and TsoClient: typed RPC helpers for Maelstrom's built-in services
// (lin-kv, seq-kv, lww-kv; lin-tso).
//
// Keys and values are passed as JSON text (proto::json_string("k"), "5", or the text of a
// value taken from a request), so any JSON key or value round-trips unchanged. Each call
// is one RPC through the Node; the callback runs exactly once, with the service's reply
// (read_ok/write_ok/cas_ok/ts_ok or an error such as 20 or 22) or a timeout. Borrows the
// Node, which must outlive the client. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "node/node.h"

namespace squall::node {

inline constexpr int64_t kServiceTimeoutMsDefault = 2000;

class KvClient {
 public:
  using Callback = std::function<void(const RpcReply&)>;

  // `service`: "lin-kv", "seq-kv" or "lww-kv" (any node id works).
  KvClient(Node& node, std::string service, int64_t timeout_ms = kServiceTimeoutMsDefault)
      : node_(node), service_(std::move(service)), timeout_ms_(timeout_ms) {}

  const std::string& service() const { return service_; }

  void read(std::string_view key_json, Callback cb);
  void write(std::string_view key_json, std::string_view value_json, Callback cb);
  void cas(std::string_view key_json, std::string_view from_json, std::string_view to_json, bool create_if_not_exists,
           Callback cb);

  // The integer "value" of a read_ok reply, or nullopt (error, timeout, other type).
  static std::optional<int64_t> int_value(const RpcReply& reply);

 private:
  Node& node_;
  std::string service_;
  int64_t timeout_ms_;
};

class TsoClient {
 public:
  using Callback = std::function<void(const RpcReply&)>;

  explicit TsoClient(Node& node, std::string service = "lin-tso", int64_t timeout_ms = kServiceTimeoutMsDefault)
      : node_(node), service_(std::move(service)), timeout_ms_(timeout_ms) {}

  // Requests a timestamp; the reply's "ts" holds it (see ts_of).
  void ts(Callback cb);
  static std::optional<int64_t> ts_of(const RpcReply& reply);

 private:
  Node& node_;
  std::string service_;
  int64_t timeout_ms_;
};

}  // namespace squall::node
