// Cluster: the nodes of one run and everything they stand on — the network (local
// namespaces, or remote hosts reached by SSH), each node's Control and directory, and
// the DB once started. Teardown runs in order (DB processes, every process left in the
// namespaces, the namespaces, the links, the temp dirs, the state file) on destroy() and
// in the destructor, so a failing run cleans up too. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster/db.h"
#include "cluster/network.h"
#include "cluster/node.h"
#include "cluster/state_file.h"
#include "cluster/transport.h"
#include "core/result.h"

namespace squall::cluster {

struct ClusterOptions {
  std::vector<std::string> nodes = {"n1", "n2", "n3"};  // names: [a-z0-9], <= 8 chars
  std::string tag;                                      // "" = 6 random hex digits
  std::string state_dir = kStateDir;
  // SSH transport to real hosts, one per node in order; empty = local namespaces.
  std::vector<std::string> ssh_hosts;
  SshOptions ssh;  // user, key, port, extra options (host is taken from ssh_hosts)
};

// Checks node names: non-empty, distinct, [a-z0-9] only, at most 8 characters.
Status validate_node_names(const std::vector<std::string>& names);

// 6 hex digits from the pid and the clock: unique among the runs on a host.
std::string random_tag();

class Cluster {
 public:
  static Result<std::unique_ptr<Cluster>> create(const ClusterOptions& options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::string& tag() const { return tag_; }
  bool local() const { return network_ != nullptr; }
  const Network* network() const { return network_.get(); }
  std::vector<Node>& nodes() { return nodes_; }
  std::vector<Node*> node_ptrs();
  const std::string& state_path() const { return state_->path(); }

  // Switches every node's control to SSH to its address (sshd must be running there).
  void use_ssh(const SshOptions& base);

  // setup() on every node, then wait_ready() on every node. Takes ownership of db.
  Status start_db(std::unique_ptr<Db> db, int64_t timeout_ms);
  Db* db() { return db_.get(); }
  // Copies each node's logs and data dir listing into <dir>/<node>/.
  Status collect(const std::string& dir);

  // Tears everything down in order; idempotent. Errors list what could not be removed.
  Status destroy();
  // Leaves everything running (`squall cluster up`): the state file stays, and
  // `squall cluster down --tag` or `cleanup` removes it all later.
  void detach() { destroyed_ = true; }

 private:
  Cluster() = default;
  std::string tag_;
  std::unique_ptr<StateFile> state_;
  std::unique_ptr<Network> network_;
  std::string run_dir_;  // local: /tmp/squall-cluster-<tag>
  std::vector<Node> nodes_;
  std::unique_ptr<Db> db_;
  bool destroyed_ = false;
};

}  // namespace squall::cluster
