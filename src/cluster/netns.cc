#include "cluster/netns.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <unistd.h>

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

namespace {

template <typename Select>
std::vector<int> kill_until_gone(Select select, int wait_ms) {
  std::vector<int> signalled;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    std::vector<int> pids = select();
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

std::vector<int> processes_mentioning(const std::string& text) {
  std::vector<int> pids;
  std::error_code ec;
  const int self = ::getpid();
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string base = e.path().filename().string();
    if (base.empty() || base.find_first_not_of("0123456789") != std::string::npos) continue;
    int pid = std::atoi(base.c_str());
    if (pid == self) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmd) c = c == '\0' ? ' ' : c;
    if (cmd.find(text) != std::string::npos) pids.push_back(pid);
  }
  return pids;
}

}  // namespace

std::vector<int> kill_processes_mentioning(const std::string& text, int wait_ms) {
  return kill_until_gone([&] { return processes_mentioning(text); }, wait_ms);
}

std::vector<int> kill_netns_processes(const std::string& name, int wait_ms) {
  return kill_until_gone([&] { return netns_processes(name); }, wait_ms);
}

}  // namespace squall::cluster
