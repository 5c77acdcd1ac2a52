// Client: a blocking etcd v3 client over the JSON gateway, with several endpoints,
// failover, bounded retries and a deadline on every call.
//
// The client sticks to one endpoint until it fails, then moves to the next. What is
// retried follows error.h's classification: a request that was never sent
// (Unavailable) is retried on the next endpoint, with exponential backoff and jitter
// once every endpoint has been tried; a request that was sent and then lost
// (Indeterminate) is retried only when it is a read (range, lease time-to-live) or
// idempotent (unlock, keep-alive) — a put, delete, txn, grant, revoke or lock is
// never repeated behind the caller's back, since it may already have happened. etcd's
// transient answers (Unavailable / DeadlineExceeded: no leader, leader changed,
// request timed out) are treated like a lost answer: retried for reads, Indeterminate
// for writes. Every wait is bounded by the call's deadline.
//
// Not thread-safe: give each thread its own Client (connections are per client).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "etcd/error.h"
#include "etcd/http_connection.h"
#include "etcd/types.h"

namespace squall::etcd {

struct ClientOptions {
  // "host:port" or "http://host:port"; at least one.
  std::vector<std::string> endpoints;
  // The deadline of a call that does not pass its own.
  std::chrono::milliseconds request_timeout{2000};
  // One connection attempt (bounded by the call's deadline too).
  std::chrono::milliseconds connect_timeout{300};
  // One attempt of a retryable read, so that a partitioned member is left in time.
  std::chrono::milliseconds read_attempt_timeout{700};
  std::chrono::milliseconds backoff_base{10};
  std::chrono::milliseconds backoff_max{200};
  uint64_t jitter_seed = 1;
};

// Parses "host:port" or "http://host:port"; false when malformed.
bool parse_endpoint(std::string_view text, std::string* host, uint16_t* port);

class Client {
 public:
  // Precondition: options.endpoints is not empty and every endpoint parses
  // (validate_options checks it first for callers that take endpoints from users).
  explicit Client(ClientOptions options);
  // Nullptr and a message when the options are unusable.
  static const char* validate_options(const ClientOptions& options);

  // A deadline `timeout` from now.
  static Deadline in(std::chrono::milliseconds timeout) { return std::chrono::steady_clock::now() + timeout; }
  Deadline default_deadline() const { return in(options_.request_timeout); }

  EtcdResult<RangeResponse> range(const RangeRequest& r, Deadline deadline);
  EtcdResult<RangeResponse> range(const RangeRequest& r) { return range(r, default_deadline()); }
  EtcdResult<PutResponse> put(const PutRequest& r, Deadline deadline);
  EtcdResult<PutResponse> put(const PutRequest& r) { return put(r, default_deadline()); }
  EtcdResult<DeleteResponse> delete_range(const DeleteRequest& r, Deadline deadline);
  EtcdResult<DeleteResponse> delete_range(const DeleteRequest& r) { return delete_range(r, default_deadline()); }
  EtcdResult<TxnResponse> txn(const TxnRequest& r, Deadline deadline);
  EtcdResult<TxnResponse> txn(const TxnRequest& r) { return txn(r, default_deadline()); }

  EtcdResult<LeaseGrantResponse> lease_grant(int64_t ttl_s, Deadline deadline);
  EtcdResult<Header> lease_revoke(int64_t id, Deadline deadline);
  EtcdResult<LeaseKeepAliveResponse> lease_keep_alive_once(int64_t id, Deadline deadline);
  EtcdResult<LeaseTimeToLiveResponse> lease_time_to_live(int64_t id, Deadline deadline);

  // etcd's Lock service: blocks until `name` is held under `lease` (or the deadline:
  // then Indeterminate, since the lock may be granted later; revoke the lease to be
  // sure it is released).
  EtcdResult<LockResponse> lock(std::string_view name, int64_t lease, Deadline deadline);
  EtcdResult<Header> unlock(std::string_view key, Deadline deadline);

  // The endpoint the next request goes to ("host:port"), and moving off it.
  std::string current_endpoint() const;
  size_t current_index() const { return current_; }

 private:
  enum class Retry : uint8_t { OnlyUnsent, Always };
  // Sends body to path with the retry policy above; on success *body_out holds the 200
  // answer's body.
  EtcdResult<std::string> call(std::string_view path, const std::string& body, Retry retry, Deadline deadline);
  template <typename T>
  EtcdResult<T> call_decode(std::string_view path, const std::string& body, Retry retry, Deadline deadline);
  void next_endpoint();
  void backoff(int round, Deadline deadline);

  ClientOptions options_;
  std::vector<std::unique_ptr<HttpConnection>> conns_;
  size_t current_ = 0;
  Rng rng_;
};

}  // namespace squall::etcd
