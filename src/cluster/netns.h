// Network namespaces named by `ip netns` (bind mounts under /run/netns): entering one in
// a child process, and finding and killing every process inside one. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace squall::cluster {

// "/run/netns/<name>".
std::string netns_path(const std::string& name);

// The pids of processes whose network namespace is the named one (by inode), sorted.
std::vector<int> netns_processes(const std::string& name);

// SIGKILLs every process inside the namespace and waits (up to `wait_ms`) until none is
// left; returns the pids it signalled. A deleted namespace lives on while a process holds
// it, so this comes before `ip netns delete`.
std::vector<int> kill_netns_processes(const std::string& name, int wait_ms = 5000);

// SIGKILLs every process whose command line contains `text` (a run directory: SSH master
// connections and daemons outside the namespaces) and waits until they are gone; never
// this process. Returns the pids it signalled.
std::vector<int> kill_processes_mentioning(const std::string& text, int wait_ms = 5000);

}  // namespace squall::cluster
