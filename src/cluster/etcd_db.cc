#include "cluster/etcd_db.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

namespace squall::cluster {

std::string etcd_client_url(const Node& node) { return fmt::format("http://{}:2379", node.address); }

namespace {

class EtcdDb final : public Db {
 public:
  explicit EtcdDb(EtcdOptions o) : o_(std::move(o)) {}

  std::string name() const override { return "etcd"; }

  Status setup(Node& node, const std::vector<Node*>& all) override {
    auto where = node.control->run({"sh", "-c", "command -v \"$1\"", "sh", o_.binary}, 10'000);
    if (!where.ok())
      return err(fmt::format("{}: etcd binary '{}' not found on the node (install etcd-server)", node.name, o_.binary));
    std::string cluster;
    for (const Node* n : all)
      cluster += fmt::format("{}{}=http://{}:2380", cluster.empty() ? "" : ",", n->name, n->address);
    initial_cluster_ = cluster;
    if (auto r = node.control->run({"mkdir", "-p", node.dir + "/data"}); !r.ok()) return err(r.error());
    if (auto s = node.control->write_file(node.faketime_file(), "+0\n"); !s) return s;
    return start(node);
  }

  Status wait_ready(Node& node, int64_t timeout_ms) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string last;
    while (true) {
      ExecResult r = node.control->exec({o_.etcdctl, "--endpoints", etcd_client_url(node), "--dial-timeout=1s",
                                         "--command-timeout=1s", "endpoint", "health"},
                                        5'000);
      if (r.ok()) return {};
      last = r.describe();
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return err(fmt::format("{}: etcd not healthy after {} ms: {}", node.name, timeout_ms, last));
  }

  Status start(Node& node) override {
    if (pid(node) > 0 && node.control->alive(pid(node))) return {};
    DaemonSpec d;
    d.argv = {o_.binary, "--name", node.name, "--data-dir", node.dir + "/data", "--listen-peer-urls",
              fmt::format("http://{}:2380", node.address), "--initial-advertise-peer-urls",
              fmt::format("http://{}:2380", node.address), "--listen-client-urls", etcd_client_url(node),
              "--advertise-client-urls", etcd_client_url(node), "--initial-cluster", initial_cluster_,
              "--initial-cluster-state", "new", "--initial-cluster-token", o_.token,
              // gossip-worker's transactions (src/etcd_store/etcd_store.h): a split puts up
              // to 257 records and finish_run guards every shard of the run; etcd's default
              // of 128 operations made a run with more shards than that impossible to finish.
              "--max-txn-ops", "1024"};
    d.env = faketime_env(node);
    d.dir = node.dir;
    d.log_file = node.dir + "/etcd.log";
    d.pid_file = node.dir + "/etcd.pid";
    auto p = node.control->start_daemon(d);
    if (!p.ok()) return err(p.error());
    pids_[node.index] = *p;
    return {};
  }

  Status kill(Node& node) override {
    int p = pid(node);
    if (p <= 0) return {};
    if (auto s = node.control->signal(p, "KILL"); !s && node.control->alive(p)) return s;
    for (int i = 0; i < 500 && node.control->alive(p); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (node.control->alive(p)) return err(fmt::format("{}: etcd pid {} survived SIGKILL", node.name, p));
    pids_.erase(node.index);
    return {};
  }

  // Both return once the process is seen stopped (or running again): a signal is only
  // queued when kill returns, and a loaded host may take a while to deliver it.
  Status pause(Node& node) override {
    if (auto s = signal_if_running(node, "STOP"); !s) return s;
    return wait_state(node, true);
  }
  Status resume(Node& node) override {
    if (auto s = signal_if_running(node, "CONT"); !s) return s;
    return wait_state(node, false);
  }

  bool running(Node& node) override { return pid(node) > 0 && node.control->alive(pid(node)); }

  int pid(const Node& node) const override {
    auto it = pids_.find(node.index);
    return it == pids_.end() ? -1 : it->second;
  }

  Status teardown(Node& node) override {
    if (auto s = kill(node); !s) return s;
    auto r = node.control->run({"rm", "-rf", node.dir + "/data"});
    if (!r.ok()) return err(r.error());
    return {};
  }

  Status collect(Node& node, const std::string& local_dir) override {
    std::error_code ec;
    std::filesystem::create_directories(local_dir, ec);
    if (ec) return err(fmt::format("{}: cannot create: {}", local_dir, ec.message()));
    Status s = node.control->download(node.dir + "/etcd.log", local_dir + "/etcd.log");
    ExecResult ls = node.control->exec({"ls", "-lR", node.dir + "/data"});
    std::ofstream(local_dir + "/data-dir.txt") << (ls.ok() ? ls.out : "listing failed: " + ls.describe() + "\n");
    return s;
  }

 private:
  Status wait_state(Node& node, bool stopped) {
    for (int i = 0; i < 400; ++i) {
      char st = node.control->process_state(pid(node));
      if (st == '?') return err(fmt::format("{}: etcd pid {} is gone", node.name, pid(node)));
      if ((st == 'T') == stopped) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return err(fmt::format("{}: etcd pid {} not {} after 2 s", node.name, pid(node), stopped ? "stopped" : "resumed"));
  }

  Status signal_if_running(Node& node, const char* sig) {
    int p = pid(node);
    if (p <= 0) return err(fmt::format("{}: etcd is not running", node.name));
    return node.control->signal(p, sig);
  }

  EtcdOptions o_;
  std::string initial_cluster_;
  std::map<size_t, int> pids_;
};

}  // namespace

std::unique_ptr<Db> etcd_db(EtcdOptions options) { return std::make_unique<EtcdDb>(std::move(options)); }

}  // namespace squall::cluster
