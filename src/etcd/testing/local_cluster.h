// LocalCluster: N etcd members on 127.0.0.1 for tests and benchmarks, each with free
// ports and a data directory of its own under one temporary root.
//
// start() returns once every member serves a linearizable read. kill(i) SIGKILLs a
// member (its whole process group); restart(i) starts it again on the same data. The
// destructor kills every member and removes the root directory, also when start()
// fails half way. Members are started through core/testing/subprocess.h as
// `setsid setpriv --pdeathsig KILL -- etcd …`: each in its own process group (killed as
// a group) and with PR_SET_PDEATHSIG, so a test that dies, even by SIGKILL, takes its
// etcd members with it (only its data directory stays). Each member logs to
// ROOT/<name>.log. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/testing/subprocess.h"

namespace squall::etcd::testing {

inline constexpr const char* kEtcdBinary = "/usr/bin/etcd";
// util-linux tools that give a member its own session and its parent-death signal.
inline constexpr const char* kSetsid = "/usr/bin/setsid";
inline constexpr const char* kSetpriv = "/usr/bin/setpriv";

struct LocalClusterOptions {
  int members = 3;
  std::string binary = kEtcdBinary;
  std::chrono::milliseconds ready_timeout{15000};
  // Raft timing: shorter than etcd's defaults (100/1000 ms) so that a killed leader is
  // replaced quickly in tests.
  int heartbeat_ms = 50;
  int election_ms = 500;
  // Compares / operations per Txn (etcd's default 128 is below a 256-way split's 257).
  int max_txn_ops = 1024;
};

class LocalCluster {
 public:
  // True when the etcd binary (and setsid, setpriv) exist and are executable.
  static bool available(const std::string& binary = kEtcdBinary);
  // Nullptr with *error set when the cluster did not come up (nothing is left behind).
  static std::unique_ptr<LocalCluster> start(const LocalClusterOptions& options, std::string* error);

  ~LocalCluster();
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  // "127.0.0.1:PORT" of member i's client URL.
  std::string endpoint(int i) const;
  std::vector<std::string> endpoints() const;
  pid_t pid(int i) const;
  bool running(int i) const { return members_[static_cast<size_t>(i)].process != nullptr; }
  const std::string& root() const { return root_; }

  void kill(int i);
  // Starts member i again on its data and waits until it serves reads.
  bool restart(int i, std::string* error);
  // Kills every member and removes the root directory (the destructor does it too).
  void destroy();

 private:
  struct Member {
    std::string name;
    uint16_t client_port = 0;
    uint16_t peer_port = 0;
    std::string data_dir;
    std::unique_ptr<squall::testing::Subprocess> process;  // null while stopped
  };
  explicit LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {}
  static std::unique_ptr<LocalCluster> start_once(const LocalClusterOptions& options, std::string* error);
  bool spawn(int i, std::string* error);
  bool wait_ready(int i, std::chrono::steady_clock::time_point deadline, std::string* error);

  LocalClusterOptions options_;
  std::string root_;
  std::string initial_cluster_;
  std::vector<Member> members_;
};

// True when no process with this pid exists (for tests that check nothing is left).
bool process_gone(pid_t pid);

}  // namespace squall::etcd::testing
