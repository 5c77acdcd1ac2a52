// Db: the system under test's lifecycle on one node, as in Jepsen's db protocol. The
// Cluster calls setup() on every node, then wait_ready() on every node; nemeses call
// kill()/start() and pause()/resume(); the final phase resumes and restarts; teardown()
// stops and removes the node's data; collect() copies logs and a data dir listing into
// the store. Errors are values naming the node. Not thread-safe (one driver thread).
#pragma once

#include <string>
#include <vector>

#include "cluster/node.h"
#include "core/result.h"

namespace squall::cluster {

class Db {
 public:
  virtual ~Db() = default;
  virtual std::string name() const = 0;
  // Locates the binary, prepares the node's directory and starts the process.
  // `all` is every node of the cluster (for the initial membership).
  virtual Status setup(Node& node, const std::vector<Node*>& all) = 0;
  // Waits until the node serves requests.
  virtual Status wait_ready(Node& node, int64_t timeout_ms) = 0;
  // Starts the process again on the same data (after kill()); no-op if it runs.
  virtual Status start(Node& node) = 0;
  // SIGKILL; returns once the process is gone.
  virtual Status kill(Node& node) = 0;
  virtual Status pause(Node& node) = 0;   // SIGSTOP
  virtual Status resume(Node& node) = 0;  // SIGCONT
  virtual bool running(Node& node) = 0;
  // The pid of the node's process, -1 if none.
  virtual int pid(const Node& node) const = 0;
  // Stops the process and removes its data.
  virtual Status teardown(Node& node) = 0;
  // Copies the node's logs and a listing of its data dir into local_dir.
  virtual Status collect(Node& node, const std::string& local_dir) = 0;
};

}  // namespace squall::cluster
