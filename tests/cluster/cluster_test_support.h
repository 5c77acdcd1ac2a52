// What the squall cluster tests share: the root/etcd precondition, the residue check
// (everything of a run still on the host: namespaces, links, state file, temp dir,
// processes, nft tables) and a guard that cleans up after a squall binary run.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cluster/exec.h"
#include "cluster/state_file.h"
#include "core/testing/subprocess.h"

namespace squall::cluster {

namespace fs = std::filesystem;

#define REQUIRE_CLUSTER_HOST()                                                                            \
  do {                                                                                                    \
    if (::geteuid() != 0) GTEST_SKIP() << "squall cluster tests need root (network namespaces); skipped"; \
    if (!run_argv({"sh", "-c", "command -v etcd && command -v nft && command -v sshd"}).ok())             \
      GTEST_SKIP() << "etcd, nft or sshd missing (scripts/install-deps.sh); skipped";                     \
  } while (0)

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything of run `tag` still on the host; empty when it is all gone.
inline std::vector<std::string> residue(const std::string& tag) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) {
    if (e.path().filename().string().find("squall-" + tag) == 0) out.push_back("netns " + e.path().string());
  }
  for (const auto& e : fs::directory_iterator("/sys/class/net", ec)) {
    std::string n = e.path().filename().string();
    if (n.find("sq" + tag) == 0 || n == "sqb" + tag) out.push_back("link " + n);
  }
  if (fs::exists(std::string(kStateDir) + "/" + tag + ".state")) out.push_back("state file");
  if (fs::exists("/tmp/squall-cluster-" + tag)) out.push_back("dir /tmp/squall-cluster-" + tag);
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::string cmd = slurp(e.path().string() + "/cmdline");
    for (char& c : cmd) c = c == '\0' ? ' ' : c;
    if (cmd.find("squall-cluster-" + tag) != std::string::npos) out.push_back("process " + cmd);
  }
  ExecResult tables = run_argv({"nft", "list", "tables"});
  if (tables.out.find("squall") != std::string::npos) out.push_back("host nft table: " + tables.out);
  return out;
}

inline std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// Removes what a binary run left (by its tag, once known) and its store, even when the
// test fails half-way.
struct BinaryRunGuard {
  std::string store;
  std::string tag;
  ~BinaryRunGuard() {
    if (!tag.empty() && !residue(tag).empty()) {
      testing::run({std::string(SQUALL_BINARY_DIR) + "/squall", "cluster", "cleanup", "--tag", tag});
    }
    fs::remove_all(store);
  }
};

}  // namespace squall::cluster
