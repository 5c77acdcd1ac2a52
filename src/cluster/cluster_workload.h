// ClusterWorkload: the seam where workloads against the cluster's DB plug in (register,
// set, lock… come with the etcd client). The run calls run() on its own thread while the
// nemesis schedule runs, then check() on the recorded history. A workload's clients are
// bound to one node each and must time out their requests; an op whose outcome is not
// known is recorded as :info. `record` is thread-safe and assigns :index and :time.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "cluster/node.h"
#include "core/result.h"
#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster {

class ClusterWorkload {
 public:
  virtual ~ClusterWorkload() = default;
  virtual std::string name() const = 0;
  // Runs client ops against `nodes` until `stop` becomes true; each op (invocation and
  // completion) goes through `record`.
  virtual Status run(const std::vector<Node*>& nodes, const std::atomic<bool>& stop,
                     const std::function<void(workload::Op)>& record) = 0;
  // Final reads after the cluster healed (optional), then the verdict map with :valid?.
  virtual Status final_phase(const std::vector<Node*>& nodes, const std::function<void(workload::Op)>& record) = 0;
  virtual history::Value check(const workload::History& history) = 0;
  // The node whose fault would hurt most now (the lock workloads: the lock holder's),
  // "" when there is none. Called from the nemesis thread while run() runs.
  virtual std::string hot_node() const { return ""; }
};

}  // namespace squall::cluster
