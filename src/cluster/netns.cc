#include "cluster/netns.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace squall::cluster {

std::string netns_path(const std::string& name) { return "/run/netns/" + name; }

std::vector<int> netns_processes(const std::string& name) {
  std::vector<int> pids;
  struct stat want {};
  if (::stat(netns_path(name).c_str(), &want) != 0) return pids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string base = e.path().filename().string();
    if (base.empty() || base.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st {};
    if (::stat((e.path() / "ns/net").c_str(), &st) != 0) continue;
    if (st.st_ino == want.st_ino && st.st_dev == want.st_dev) pids.push_back(std::atoi(base.c_str()));
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::vector<int> kill_netns_processes(const std::string& name, int wait_ms) {
  std::vector<int> signalled;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    std::vector<int> pids = netns_processes(name);
    if (pids.empty()) break;
    for (int pid : pids) {
      // A stopped process dies of SIGKILL too; SIGCONT is not needed.
      ::kill(pid, SIGKILL);
      if (std::find(signalled.begin(), signalled.end(), pid) == signalled.end()) signalled.push_back(pid);
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return signalled;
}

}  // namespace squall::cluster
