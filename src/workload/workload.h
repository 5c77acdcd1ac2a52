// Workload: what a Maelstrom workload contributes to a `squall test` run.
//
// Four parts, as in Jepsen: a generator (next() for the main phase; final_op() for the
// one read each node gets after healing and recovery), the client mapping of an op to a
// request body and of a reply back to a completion, and a checker over the finished
// history. The harness owns the clients, timing, error replies (code -> fail/info) and
// timeouts; a workload only sees non-error replies. To add a workload, implement this
// interface in its own file and register it in registry.cc (steps in CONTRIBUTING.md).
//
// Thread-safety: a workload is used from the harness's single event loop. Determinism:
// next() draws only from the Rng it is given.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/result_map.h"
#include "core/result.h"
#include "core/rng.h"
#include "history/value.h"
#include "history/value_json.h"
#include "workload/op.h"

namespace squall::workload {

// An operation a generator wants performed: f and its value as JSON text.
struct Invocation {
  std::string f;
  std::string value = "null";
  int thread = -1;  // set by a workload's next() if complete() needs it; opaque to the harness
};

struct GenContext {
  int thread = 0;  // the client thread issuing the op, 0 .. concurrency-1
  int node_count = 0;
  int concurrency = 0;
  int64_t process = -1;  // the thread's current process (new after each :info); -1 = the thread
};

struct SetupContext {
  std::vector<std::string> nodes;  // n0 .. n(N-1)
  std::string topology_json;       // {"n0":["n1",...],...} as chosen by --topology
};

// What a reply means for the op. kMalformed: the reply broke the workload's closed
// schema (the op becomes :info and the harness records a protocol error).
struct Completion {
  OpType type = OpType::kOk;
  std::string value = "null";  // JSON text for the completed op
  std::string problem;         // why a reply is malformed
  bool malformed = false;
};

struct CheckContext {
  std::vector<std::string> nodes;
  int64_t final_phase_start_ns = -1;  // when final reads began; -1 if never
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string_view name() const = 0;

  // Rejects run parameters the workload cannot use (lin-kv needs a multiple of 2n threads).
  virtual Status validate(int node_count, int concurrency) const {
    (void)node_count;
    (void)concurrency;
    return {};
  }

  // The --concurrency used when none is given: an integer or Kn. lin-kv needs whole
  // groups of 2n threads, so its default is 2n.
  virtual std::string default_concurrency() const { return "1n"; }
  // The client request timeout when --rpc-timeout is not given, from the mean
  // node-to-node latency. Maelstrom's default is 5 s; its lin-kv client uses
  // max(10 x mean latency, 1 s).
  virtual double default_rpc_timeout_s(double mean_latency_ms) const {
    (void)mean_latency_ms;
    return 5;
  }

  // A body each node gets once before the main phase (broadcast's topology), or nullopt.
  // The reply must have type `setup_reply_type()`.
  virtual std::optional<std::string> setup_body(const SetupContext& ctx, std::string_view node) const {
    (void)ctx;
    (void)node;
    return std::nullopt;
  }
  virtual std::string setup_reply_type() const { return ""; }

  // Main-phase generator.
  virtual Invocation next(const GenContext& ctx, Rng& rng) = 0;
  // Final-phase op issued once on every node after healing and recovery, or nullopt.
  virtual std::optional<Invocation> final_op() const { return std::nullopt; }

  // Request body for an invocation, without msg_id (the client adds it).
  virtual std::string request_body(const Invocation& inv) const = 0;
  // Reads are idempotent: their timeouts and errors become :fail instead of :info.
  virtual bool idempotent(std::string_view f) const = 0;
  // Interprets a non-error reply to `inv`.
  virtual Completion complete(const Invocation& inv, const rapidjson::Value& reply) const = 0;

  // Checks the history; returns this workload's result map (with :valid?).
  virtual history::Value check(const History& history, const CheckContext& ctx) const = 0;
};

// Maelstrom's options of the txn workloads (unset: the workload's defaults); the other
// workloads ignore them.
struct WorkloadOptions {
  std::optional<int> key_count;
  std::optional<int> max_txn_length;
  std::optional<int> max_writes_per_key;
  std::vector<std::string> consistency_models;  // empty: strict-serializable
};

// Each given count is at least 1; the message names the flag.
Status validate(const WorkloadOptions& options);
// The given options as command-line flags (" --key-count 5 --consistency-models a,b"),
// "" when none is given: for the reproduce commands.
std::string options_flags(const WorkloadOptions& options);

// The workloads this build knows, by Maelstrom name.
std::vector<std::string> workload_names();
// Builds a workload by name, or an error listing the known names (or naming a bad option).
Result<std::unique_ptr<Workload>> make_workload(std::string_view name, const WorkloadOptions& options = {});

// A reply that broke its schema: the op becomes :info, with `problem` as the reason.
Completion malformed(std::string problem);
// Checks a reply against Maelstrom's schema for `request_type` of `workload`, the one
// table in proto/schema.h: reply type, exactly the allowed keys, required keys of the
// listed kinds. A malformed Completion naming the first violation, or nullopt. (Error
// replies never get here: the harness handles them.)
std::optional<Completion> check_reply_schema(std::string_view workload, std::string_view request_type,
                                             const rapidjson::Value& reply);

}  // namespace squall::workload
