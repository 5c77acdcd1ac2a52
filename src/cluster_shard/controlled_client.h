// What the controlled shard workloads (lease-exclusivity, checkpoint-fence,
// shard-acquisition, concurrent-acquisition, split-correctness) share on the client
// side: one control API request as the history records it — the invocation, the answer
// classified (ok with the coordinator's result; fail for a definite refusal or a
// request never sent; info when it may have been applied: no answer, an indeterminate
// one, or one that does not parse) and the completion with the result's fields —
// interruptible naps, and reading corpus keys and history values. Functions are
// stateless and thread-safe; a ControlClient is one per client thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "cluster/cluster_workload.h"
#include "cluster/node.h"
#include "cluster_shard/control_client.h"
#include "cluster_shard/shard_options.h"
#include "coord/ops.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster_shard {

struct ControlAnswer {
  workload::OpType type = workload::OpType::kInfo;  // kOk, kFail (definite) or kInfo
  coord::OpResult result;                           // when kOk
  std::string code;                                 // a definite refusal's code ("StaleFence"), else empty
  std::string error;                                // the completion's :error: "[:StaleFence]", "[:timeout]", …
};

// Sends `line` and classifies what came back (or did not).
ControlAnswer ask(ControlClient& c, const std::string& line);

// Where one client thread records its calls.
struct CallSite {
  ControlClient* control;
  int64_t process;
  std::string node;
  const std::function<void(workload::Op)>* record;
};

using ResultFields = std::function<void(const ControlAnswer& ok, history::Value* completion)>;

// The fields most workloads record from an ok answer: fence, deadline-ms, the shard (a
// claim's, when the invocation did not name one) and the ids a split spawned.
void add_result_fields(const ControlAnswer& ok, history::Value* completion);

// Records the invocation (f, `inputs`), asks, and records the completion: `inputs` with
// `fields` applied when ok (add_result_fields by default). Returns the answer.
ControlAnswer recorded_call(const CallSite& site, const std::string& f, const std::string& line,
                            const history::Value& inputs, const ResultFields& fields = add_result_fields);

// One client thread of a controlled workload: its control client, its seeded random
// numbers, its op ids (thread t's are (t+1)·2^32 + n, so no two threads share one), the
// process its ops are recorded under (a workload may move it on after an indeterminate
// op) and where they are recorded. Owned by its thread.
class ClientThread {
 public:
  ClientThread(int thread, cluster::Node& node, uint64_t worker, uint16_t port, int64_t op_timeout_ms, uint64_t seed,
               const std::function<void(workload::Op)>& record)
      : thread(thread),
        node(node),
        worker(worker),
        process(thread),
        control(node.address, port, op_timeout_ms),
        rng(seed * 1000003 + static_cast<uint64_t>(thread)),
        record_(&record) {}

  uint64_t next_op_id() { return (static_cast<uint64_t>(thread) + 1) << 32 | ++seq_; }
  // recorded_call from this thread.
  ControlAnswer call(const std::string& f, const std::string& line, const history::Value& inputs,
                     const ResultFields& fields = add_result_fields) {
    return recorded_call(CallSite{&control, process, node.name, record_}, f, line, inputs, fields);
  }

  const int thread;
  cluster::Node& node;
  const uint64_t worker;  // the id of the worker it drives
  int64_t process;
  ControlClient control;
  std::mt19937_64 rng;

 private:
  uint64_t seq_ = 0;
  const std::function<void(workload::Op)>* record_;
};

// The shape every controlled shard workload shares: `concurrency` client threads, thread
// t bound to node t mod n and to that node's worker t / n, which serves its control API
// on control_port + t / n; no final phase (the check reads the history, or the records
// through etcd). A workload implements client_loop and check.
class ControlledWorkload : public cluster::ClusterWorkload {
 public:
  ControlledWorkload(ShardOptions o, int concurrency, uint64_t seed)
      : o_(std::move(o)), concurrency_(concurrency), seed_(seed) {}
  std::string name() const override { return o_.workload; }
  Status run(const std::vector<cluster::Node*>& nodes, const std::atomic<bool>& stop,
             const std::function<void(workload::Op)>& record) override;
  Status final_phase(const std::vector<cluster::Node*>&, const std::function<void(workload::Op)>&) override {
    return {};
  }

 protected:
  // One client thread, until `stop`. Its worker's id is node index * workers per node +
  // k + 1, as the DB starts them, and its control port control_port + k.
  virtual void client_loop(ClientThread& c, const std::atomic<bool>& stop) = 0;

  const ShardOptions o_;
  const int concurrency_;
  const uint64_t seed_;
};

// Sleeps ms in steps of 20 ms; false once stop is set.
bool nap(int64_t ms, const std::atomic<bool>& stop);

// The item number of a corpus key ("c00000042" → 42); `dflt` for "" (an open end).
uint32_t key_index(const std::string& key, uint32_t dflt);

// An int field of a map, -1 when absent or not an int.
int64_t int_field(const history::Value& m, const char* k);

}  // namespace squall::cluster_shard
