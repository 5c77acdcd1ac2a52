// Nemesis: one kind of fault the harness injects into a real cluster, as in Jepsen: start
// injects one fault and returns its exact target (which nodes, which direction, which
// offset) as the value of the history's :info op; stop heals what this nemesis did.
// heal_all() undoes every fault of its kind whatever state the run is in (the final
// phase). Implementations: partition shapes (nftables table `inet squall` inside each
// node, input chain only; healing deletes only that table), kill-random-node (SIGKILL,
// restart on the same data), pause-random-node (SIGSTOP/SIGCONT), pause-lock-holder
// (SIGSTOP/SIGCONT of the member a lock holder's client talks to), clock-skew (bumps or a
// strobe, written to each node's libfaketime file: reaches processes that read the clock through
// libc; Go binaries such as etcd read it without libc and are NOT affected).
// Not thread-safe: the run's one scheduler thread drives it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/db.h"
#include "cluster/node.h"
#include "core/result.h"
#include "core/rng.h"
#include "history/value.h"

namespace squall::cluster {

struct NemesisContext {
  std::vector<Node*> nodes;
  Db* db = nullptr;  // may be null for network and clock faults
  // The node the workload would most like faulted now (a lock holder's), "" if none;
  // pause-lock-holder asks it. May be empty (no workload).
  std::function<std::string()> hot_node;
};

// One nemesis op: :f and :value of the :info op ("start-partition", {...}).
struct FaultOp {
  std::string f;
  history::Value value;
};

class Nemesis {
 public:
  virtual ~Nemesis() = default;
  virtual std::string name() const = 0;
  // The :f of the start and stop ops ("start-partition"/"stop-partition", "kill"/"start",
  // "pause"/"resume", "bump-clock"/"reset-clock"); invocation and completion share it.
  virtual std::string start_f() const = 0;
  virtual std::string stop_f() const = 0;
  virtual Result<FaultOp> start(NemesisContext& ctx, Rng& rng) = 0;
  virtual Result<FaultOp> stop(NemesisContext& ctx) = 0;
  // Undo everything of this kind on every node (final phase and teardown).
  virtual Status heal_all(NemesisContext& ctx) = 0;
};

// The names `--nemesis` accepts, in help order; "combined" expands to all of them.
const std::vector<std::string>& nemesis_names();
// Parses "a,b,c" (or "combined", or "none"/"" = no nemesis); the error names the bad one.
Result<std::vector<std::string>> parse_nemesis_list(const std::string& text);
std::unique_ptr<Nemesis> make_nemesis(const std::string& name);

// The nftables script that makes `node` drop input from `sources` (replacing squall's
// table atomically), and the one that removes squall's table. Pure, for tests.
std::string nft_drop_script(const std::vector<std::string>& source_addresses);
std::string nft_heal_script();

// Applies the grudge: each node drops input from the addresses it holds a grudge against.
Status apply_grudge(NemesisContext& ctx, const std::vector<std::vector<size_t>>& grudge);
// Deletes squall's nftables table on every node (only that table).
Status heal_network(NemesisContext& ctx);

}  // namespace squall::cluster
