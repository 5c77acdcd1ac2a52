#include "cluster_shard/gossip_worker_db.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace squall::cluster_shard {

using cluster::Node;

std::string worker_trace_file(const Node& node, int n) { return fmt::format("{}/worker-trace-{}.log", node.dir, n); }

std::string default_worker_binary(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto next = self.parent_path() / "gossip-worker";
    if (std::filesystem::exists(next, ec)) return next.string();
  }
  return "gossip-worker";
}

namespace {

class GossipWorkerDb final : public cluster::Db, public WorkerProcesses {
 public:
  GossipWorkerDb(cluster::EtcdOptions etcd, ShardOptions shard)
      : etcd_(cluster::etcd_db(std::move(etcd))), o_(std::move(shard)) {}

  std::string name() const override { return "etcd+gossip-worker"; }

  Status setup(Node& node, const std::vector<Node*>& all) override {
    std::lock_guard lock(mu_);
    auto where = node.control->run({"sh", "-c", "command -v \"$1\"", "sh", o_.binary}, 10'000);
    if (!where.ok())
      return err(fmt::format("{}: gossip-worker binary '{}' not found on the node (build it, or pass --gossip-worker)",
                             node.name, o_.binary));
    std::string endpoints = node.address + ":2379";
    for (const Node* n : all) {
      if (n != &node) endpoints += "," + n->address + ":2379";
    }
    endpoints_[node.index] = endpoints;
    return etcd_->setup(node, all);
  }

  // The worker starts once its member is healthy (so the run's registration does not
  // race the cluster's first election), and only the first time: later starts come
  // from start().
  Status wait_ready(Node& node, int64_t timeout_ms) override {
    std::lock_guard lock(mu_);
    if (auto s = etcd_->wait_ready(node, timeout_ms); !s) return s;
    if (starts_[node.index] == 0) return start_workers(node);
    return {};
  }

  Status start(Node& node) override {
    std::lock_guard lock(mu_);
    if (auto s = etcd_->start(node); !s) return s;
    crashed_[node.index] = false;  // the restart below covers a worker crashed before
    if (killed_[node.index]) return start_workers(node);
    return {};
  }

  Status kill(Node& node) override {
    std::lock_guard lock(mu_);
    if (auto s = kill_worker_pids(node); !s.ok()) return err(s.error());
    // Also when its worker had crashed already: start() then brings it back.
    killed_[node.index] = true;
    return etcd_->kill(node);
  }

  Result<std::vector<int>> kill_workers(Node& node) override {
    std::lock_guard lock(mu_);
    auto killed = kill_worker_pids(node);
    if (killed.ok() && !killed->empty()) crashed_[node.index] = true;
    return killed;
  }

  Status restart_workers(Node& node) override {
    std::lock_guard lock(mu_);
    if (!crashed_[node.index] || killed_[node.index]) return {};
    crashed_[node.index] = false;
    return start_workers(node);
  }

  // The worker stops with its member (a stalled machine) and resumes with it; one that
  // already exited (the run is done) is left alone.
  Status pause(Node& node) override {
    std::lock_guard lock(mu_);
    if (auto s = etcd_->pause(node); !s) return s;
    return signal_worker(node, "STOP");
  }
  Status resume(Node& node) override {
    std::lock_guard lock(mu_);
    if (auto s = etcd_->resume(node); !s) return s;
    return signal_worker(node, "CONT");
  }

  bool running(Node& node) override {
    std::lock_guard lock(mu_);
    return etcd_->running(node);
  }
  int pid(const Node& node) const override {
    std::lock_guard lock(mu_);
    return etcd_->pid(node);
  }

  Status teardown(Node& node) override {
    std::lock_guard lock(mu_);
    for (int p : workers_[node.index]) (void)node.control->signal(p, "KILL");
    workers_.erase(node.index);
    return etcd_->teardown(node);
  }

  Status collect(Node& node, const std::string& local_dir) override {
    std::lock_guard lock(mu_);
    Status s = etcd_->collect(node, local_dir);
    std::string errors = s ? "" : s.error();
    std::vector<std::string> files = {node.dir + "/worker.log"};
    for (int n = 1; n <= starts_[node.index]; ++n) files.push_back(worker_trace_file(node, n));
    for (const auto& f : files) {
      if (auto d = node.control->download(f, local_dir + "/" + std::filesystem::path(f).filename().string()); !d)
        errors += (errors.empty() ? "" : "; ") + d.error();
    }
    if (!errors.empty()) return err(errors);
    return {};
  }

 private:
  // SIGKILLs the node's workers and forgets them; the start numbers of those alive.
  Result<std::vector<int>> kill_worker_pids(Node& node) {
    std::vector<int> ended;
    const std::vector<int>& pids = workers_[node.index];
    const std::vector<int>& numbers = start_numbers_[node.index];
    for (size_t i = 0; i < pids.size(); ++i) {
      const int p = pids[i];
      const bool was_alive = node.control->alive(p);
      if (auto s = node.control->signal(p, "KILL"); !s && node.control->alive(p)) return err(s.error());
      for (int i = 0; i < 500 && node.control->alive(p); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (node.control->alive(p)) return err(fmt::format("{}: gossip-worker pid {} survived SIGKILL", node.name, p));
      if (was_alive && i < numbers.size()) ended.push_back(numbers[i]);
    }
    workers_.erase(node.index);
    start_numbers_.erase(node.index);
    return ended;
  }

  Status signal_worker(Node& node, const char* sig) {
    for (int p : workers_[node.index]) {
      if (!node.control->alive(p)) continue;
      if (auto s = node.control->signal(p, sig); !s) return s;
    }
    return {};
  }

  Status start_workers(Node& node) {
    for (int k = 0; k < o_.workers_per_node; ++k) {
      if (auto s = start_worker(node, k); !s) return s;
      start_numbers_[node.index].push_back(starts_[node.index]);
    }
    killed_[node.index] = false;
    return {};
  }

  Status start_worker(Node& node, int k) {
    const int n = ++starts_[node.index];
    const uint64_t id = node.index * static_cast<uint64_t>(o_.workers_per_node) + static_cast<uint64_t>(k) + 1;
    cluster::DaemonSpec d;
    d.argv = {o_.binary, "--endpoints", endpoints_[node.index], "--worker-id", std::to_string(id), "--prefix",
              o_.prefix, "--corpus-seed", std::to_string(o_.corpus_seed), "--items", std::to_string(o_.items),
              "--roots", std::to_string(o_.roots), "--lease-ms", std::to_string(o_.lease_ms), "--claim-cooldown-ms",
              std::to_string(o_.claim_cooldown_ms), "--etcd-timeout-ms", std::to_string(o_.etcd_timeout_ms),
              // A member paused or partitioned for a while is not a reason to quit: the
              // run's end (or the teardown) ends the worker.
              "--give-up-ms", "600000", "--page-max", "100", "--split-min-items", "150", "--incarnation",
              std::to_string(n), "--trace", worker_trace_file(node, n)};
    if (controlled(o_)) {
      d.argv.push_back("--listen");
      d.argv.push_back(fmt::format("{}:{}", node.address, o_.control_port + k));
    }
    if (clock_from_requests(o_)) {
      d.argv.push_back("--control-clock");
      d.argv.push_back("request");
    }
    if (o_.fault) {
      d.argv.push_back("--fault");
      d.argv.emplace_back(worker::fault_name(*o_.fault));
    }
    if (!o_.coord_mutation.empty()) {
      d.argv.push_back("--coord-mutation");
      d.argv.push_back(o_.coord_mutation);
    }
    d.env = cluster::faketime_env(node);
    d.dir = node.dir;
    d.log_file = node.dir + "/worker.log";
    d.pid_file = node.dir + "/worker.pid";
    auto p = node.control->start_daemon(d);
    if (!p.ok()) return err(fmt::format("{}: starting gossip-worker: {}", node.name, p.error()));
    workers_[node.index].push_back(*p);
    return {};
  }

  std::unique_ptr<cluster::Db> etcd_;
  ShardOptions o_;
  std::map<size_t, std::string> endpoints_;
  std::map<size_t, std::vector<int>> workers_;        // node index → its workers' pids
  std::map<size_t, int> starts_;                      // node index → worker starts so far
  std::map<size_t, std::vector<int>> start_numbers_;  // node index → its workers' start numbers
  std::map<size_t, bool> killed_;
  std::map<size_t, bool> crashed_;  // its workers were SIGKILLed alone (kill_workers)
  mutable std::mutex mu_;
};

}  // namespace

std::unique_ptr<etcd::Client> members_client(const std::vector<cluster::Node*>& nodes) {
  etcd::ClientOptions co;
  for (const cluster::Node* n : nodes) co.endpoints.push_back(n->address + ":2379");
  co.request_timeout = std::chrono::milliseconds(2000);
  return std::make_unique<etcd::Client>(co);
}

std::unique_ptr<cluster::Db> gossip_worker_db(cluster::EtcdOptions etcd, ShardOptions shard) {
  return std::make_unique<GossipWorkerDb>(std::move(etcd), std::move(shard));
}

WorkerProcesses* worker_processes_of(cluster::Db* db) { return dynamic_cast<GossipWorkerDb*>(db); }

}  // namespace squall::cluster_shard
