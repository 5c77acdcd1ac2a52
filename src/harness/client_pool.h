// ClientPool: the run's clients, their requests in flight, time-outs and completions.
//
// Each client is a network endpoint (c0, c1, ...) bound to one node, with at most one
// request in flight. Workers and final-read clients turn workload invocations into
// requests and replies into completed ops (handed to ClientPoolEvents::record), with
// Jepsen's semantics: an op that ends :info leaves its process indeterminate, so the
// thread continues as a new process (and a new client, as Maelstrom opens a new client);
// time-outs and error replies become :fail when the op surely did not happen (definite
// error codes, or idempotent ops) and :info otherwise. Control clients carry the
// harness's own requests (Maelstrom's init and the workload setup); their replies and
// time-outs go to the owner as they are. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/client_network.h"
#include "harness/protocol_error.h"
#include "net/network.h"
#include "proto/message.h"
#include "workload/workload.h"

namespace squall::harness {

enum class ClientRole { kControl, kWorker, kFinal };

struct Client {
  ClientRole role = ClientRole::kWorker;
  int thread = -1;    // worker thread, or -1
  int node = 0;       // node index it talks to
  int endpoint = -1;  // network endpoint (its cN name)
  int64_t process = 0;
  int64_t next_msg_id = 1;
  bool busy = false;
  bool retired = false;  // replaced after an indeterminate op; late replies are ignored
  int64_t msg_id = 0;    // in flight
  int64_t deadline_ns = 0;
  workload::Invocation inv;
};

// What the pool hands to its owner.
class ClientPoolEvents {
 public:
  virtual ~ClientPoolEvents() = default;
  // An invocation or a completion, in the order they happened.
  virtual void record(workload::Op op) = 0;
  // The reply to a control client's request (the client is no longer busy).
  virtual void on_control_reply(int client, const proto::Message& reply, std::string_view line, int64_t now) = 0;
  // A control client's request timed out (the client is no longer busy).
  virtual void on_control_timeout(int client, int64_t now) = 0;
};

class ClientPool {
 public:
  // `concurrency` worker threads; requests time out after `rpc_timeout_ns`.
  ClientPool(ClientNetwork& router, const workload::Workload& workload, ClientPoolEvents& events, int concurrency,
             int64_t rpc_timeout_ns);

  // A new client of node `node`; returns its index.
  int add(ClientRole role, int node, int thread, int64_t process);
  const Client& client(int idx) const { return clients_[static_cast<size_t>(idx)]; }
  size_t size() const { return clients_.size(); }

  // Sends a control client's request (the body without msg_id), due by now + timeout_ns.
  void send(int idx, std::string_view body, int64_t timeout_ns, int64_t now);
  // The control client's request will not be answered (its node is gone).
  void cancel(int idx);

  // One worker per thread, thread t on node t mod the node count, process t.
  void add_workers();
  // Threads whose worker has no request in flight, in thread order.
  std::vector<int> free_threads() const;
  const Client& worker(int thread) const { return client(worker_of_thread_[static_cast<size_t>(thread)]); }
  bool workers_idle() const;
  // Issues `inv` on thread `thread`'s worker.
  void invoke_on_thread(int thread, const workload::Invocation& inv, int64_t now);
  // Issues `inv` as a final read on node `node`, from a client of its own (its process
  // numbered after every other).
  void invoke_final(int node, const workload::Invocation& inv, int64_t now);
  bool finals_idle() const;

  // A message from the network for a client endpoint (d.message set).
  void on_message(const net::Delivery& d, int64_t now);
  // Maelstrom's verdict semantics: a broken reply makes the one operation it answers
  // indeterminate, with the reason, and leaves the verdict to the checkers.
  void on_broken_reply(int endpoint, int64_t in_reply_to, ProtocolErrorKind kind, const std::string& detail,
                       int64_t now);
  // Times out every request past its deadline.
  void expire(int64_t now);
  // The earliest deadline of a request in flight (INT64_MAX if none).
  int64_t next_deadline_ns() const;

  int64_t invoke_count() const { return invoke_count_; }
  int64_t ok_count() const { return ok_count_; }
  int64_t fail_count() const { return fail_count_; }
  int64_t info_count() const { return info_count_; }
  int64_t late_replies() const { return late_replies_; }

 private:
  void invoke(int idx, const workload::Invocation& inv, bool final, int64_t now);
  void request(int idx, std::string_view body, int64_t now);
  // `error_code`: the code of the error reply that completed the op, if one did.
  void complete(int idx, history::OpType type, std::string value, std::string error, int64_t now,
                std::optional<int64_t> error_code = std::nullopt);
  void on_reply(int idx, const net::Delivery& d, int64_t now);

  ClientNetwork& router_;
  const workload::Workload& workload_;
  ClientPoolEvents& events_;
  int concurrency_;
  int64_t rpc_timeout_ns_;
  std::vector<Client> clients_;
  std::vector<int> endpoint_client_;   // endpoint index -> client index, -1 for non-clients
  std::vector<int> worker_of_thread_;  // thread -> client index
  int next_client_name_ = 0;
  int64_t ok_count_ = 0, fail_count_ = 0, info_count_ = 0, invoke_count_ = 0;
  int64_t late_replies_ = 0;
};

}  // namespace squall::harness
