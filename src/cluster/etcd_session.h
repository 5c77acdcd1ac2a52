// EtcdSession: one client thread of a cluster workload, bound to one node. It owns an
// etcd client whose only endpoint is that node (no failover: a client stuck on a
// partitioned or paused member stays stuck, as a Jepsen client does), records the
// thread's ops, and maps etcd's error kinds to completions:
//   Unavailable   -> :fail  (the request never left: nothing happened)
//   Indeterminate -> :info  (it may have happened; the thread continues as a new process)
//   Rejected      -> :fail  with etcd's gRPC code as the op's :error-code
// Processes follow Jepsen: thread t starts as process t and becomes process
// t + concurrency after each :info. LeaseKeeper keeps one lease alive from a thread of
// its own (a lock holder's lease). Neither is thread-safe; one per client thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cluster/node.h"
#include "etcd/client.h"
#include "workload/op.h"

namespace squall::cluster {

using RecordFn = std::function<void(workload::Op)>;

// Client options for a client bound to `node` alone.
etcd::ClientOptions node_client_options(const Node& node, int64_t timeout_ms, uint64_t seed);

class EtcdSession {
 public:
  EtcdSession(int thread, int concurrency, const Node& node, int64_t timeout_ms, RecordFn record);

  etcd::Client& client() { return client_; }
  etcd::Deadline deadline() const { return etcd::Client::in(std::chrono::milliseconds(timeout_ms_)); }
  int64_t process() const { return process_; }
  const std::string& node() const { return node_; }
  // Ops from now on are :final (issued after the final heal).
  void set_final() { final_ = true; }

  void invoke(const std::string& f, std::string value_json);
  void ok(std::string value_json);
  // A definite failure of our own making (e.g. a cas whose compare failed).
  void fail(std::string value_json, std::string error_edn);
  // The completion an etcd error calls for (see the header comment).
  void complete_error(const etcd::EtcdError& e, std::string value_json);
  // :info for an outcome not known for a reason of our own; the process changes.
  void info(std::string value_json, std::string error_edn);

 private:
  void complete(workload::OpType type, std::string value_json, std::string error_edn,
                std::optional<int64_t> code = std::nullopt);

  int concurrency_;
  int64_t process_;
  std::string node_;
  int64_t timeout_ms_;
  RecordFn record_;
  std::string f_;  // of the pending invocation
  bool final_ = false;
  etcd::Client client_;
};

// Sends a keep-alive for the current lease every ttl/3 from its own thread and client.
class LeaseKeeper {
 public:
  LeaseKeeper(const Node& node, int64_t ttl_s, uint64_t seed);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;
  void keep(int64_t lease);  // 0: none
  uint64_t sent() const { return sent_.load(); }

 private:
  void loop();
  int64_t ttl_s_;
  etcd::Client client_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t lease_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> sent_{0};
  std::thread thread_;
};

// The error of an op as the history shows it: [:unavailable "text"] etc.
std::string error_edn(const etcd::EtcdError& e);
// A string as EDN/JSON text (quotes and backslashes escaped).
std::string quoted(const std::string& s);

}  // namespace squall::cluster
