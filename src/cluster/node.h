// Node: one machine of the cluster as the harness sees it — its name, its address on the
// cluster network, its working directory (on the node) and the Control that reaches it.
// Owned by the Cluster; the DB and the nemeses borrow it.
#pragma once

#include <memory>
#include <string>

#include "cluster/control.h"

namespace squall::cluster {

struct Node {
  size_t index = 0;
  std::string name;     // "n1"
  std::string address;  // IPv4 on the cluster network, as the other nodes reach it
  std::string dir;      // the node's directory for data, logs, pid and faketime files
  std::unique_ptr<Control> control;

  // The FAKETIME file that libfaketime re-reads on every clock call of a process
  // started with faketime_env(); the clock-skew nemesis writes offsets into it.
  std::string faketime_file() const { return dir + "/faketime"; }
};

// LD_PRELOAD=libfaketime + FAKETIME_TIMESTAMP_FILE=<node's faketime file> +
// FAKETIME_NO_CACHE=1 (re-read on each call, so an offset can change while it runs).
// It reaches programs that read the clock through libc; Go binaries (etcd) are not.
std::vector<std::string> faketime_env(const Node& node);
inline constexpr const char* kLibfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

}  // namespace squall::cluster
