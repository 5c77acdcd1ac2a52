// ControlClient: one connection to a gossip-worker's control API (TCP, one JSON line
// per request, one answer line each, in order). call() sends a line and waits for its
// answer up to the timeout; on any failure (refused, reset, timeout) the connection is
// dropped, so a late answer can never be taken for the next request's, and the next
// call connects again. Not thread-safe: one per client thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/tcp.h"

namespace squall::cluster_shard {

class ControlClient {
 public:
  ControlClient(std::string host, uint16_t port, int64_t timeout_ms)
      : host_(std::move(host)), port_(port), timeout_ms_(timeout_ms) {}
  ~ControlClient() { drop(); }
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;

  // The answer line (without its newline). An error says whether the line may have
  // been delivered: `sent` is false only when nothing was written.
  Result<std::string> call(const std::string& line, bool* sent);

 private:
  Status connect_now(SteadyDeadline deadline);
  void drop();

  std::string host_;
  uint16_t port_;
  int64_t timeout_ms_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last answer line (none, in order)
};

}  // namespace squall::cluster_shard
