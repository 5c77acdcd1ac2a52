#include "cluster/cluster.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/rng.h"

namespace squall::cluster {

Status validate_node_names(const std::vector<std::string>& names) {
  if (names.empty()) return err("--nodes: at least one node is needed");
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (n.empty() || n.size() > 8 || n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
      return err(fmt::format("--nodes: '{}' is not a node name (1-8 characters of a-z and 0-9)", n));
    }
    if (!seen.insert(n).second) return err(fmt::format("--nodes: '{}' appears twice", n));
  }
  return {};
}

std::string random_tag() {
  uint64_t seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                  (static_cast<uint64_t>(::getpid()) << 32);
  Rng rng(seed);
  return fmt::format("{:06x}", rng.below(1u << 24));
}

Result<std::unique_ptr<Cluster>> Cluster::create(const ClusterOptions& o) {
  if (auto s = validate_node_names(o.nodes); !s) return err(s.error());
  if (!o.ssh_hosts.empty() && o.ssh_hosts.size() != o.nodes.size()) {
    return err(fmt::format("--ssh: {} hosts for {} nodes", o.ssh_hosts.size(), o.nodes.size()));
  }
  std::unique_ptr<Cluster> c(new Cluster());
  c->tag_ = o.tag.empty() ? random_tag() : o.tag;
  auto state = StateFile::create(o.state_dir, c->tag_);
  if (!state.ok()) return err(state.error());
  c->state_ = std::make_unique<StateFile>(std::move(*state));
  c->run_dir_ = "/tmp/squall-cluster-" + c->tag_;
  // Local: the nodes' directories. SSH: the control sockets (the nodes' directories are
  // the same path on each host).
  if (auto s = c->state_->record("dir", c->run_dir_); !s) return err(s.error());
  std::error_code ec;
  std::filesystem::create_directories(c->run_dir_, ec);
  if (ec) return err(fmt::format("{}: cannot create: {}", c->run_dir_, ec.message()));
  if (o.ssh_hosts.empty()) {
    auto net = Network::create(c->tag_, o.nodes, c->state_.get());
    if (!net.ok()) return err(net.error());
    c->network_ = std::make_unique<Network>(std::move(*net));
    for (const auto& nn : c->network_->nodes()) {
      Node n;
      n.index = c->nodes_.size();
      n.name = nn.name;
      n.address = nn.address;
      n.dir = c->run_dir_ + "/" + nn.name;
      n.control = std::make_unique<Control>(nn.name, local_transport(nn.netns));
      std::filesystem::create_directories(n.dir, ec);
      c->nodes_.push_back(std::move(n));
    }
  } else {
    for (size_t i = 0; i < o.nodes.size(); ++i) {
      Node n;
      n.index = i;
      n.name = o.nodes[i];
      n.address = o.ssh_hosts[i];
      n.dir = c->run_dir_ + "/" + n.name;
      SshOptions so = o.ssh;
      so.host = o.ssh_hosts[i];
      so.control_dir = c->run_dir_;
      n.control = std::make_unique<Control>(n.name, ssh_transport(so));
      if (auto r = n.control->run({"mkdir", "-p", n.dir}, 15'000); !r.ok()) return err(r.error());
      c->nodes_.push_back(std::move(n));
    }
  }
  return c;
}

Cluster::~Cluster() { (void)destroy(); }

std::vector<Node*> Cluster::node_ptrs() {
  std::vector<Node*> out;
  for (auto& n : nodes_) out.push_back(&n);
  return out;
}

void Cluster::use_ssh(const SshOptions& base) {
  for (auto& n : nodes_) {
    SshOptions so = base;
    so.host = n.address;
    if (so.control_dir.empty()) so.control_dir = run_dir_;
    n.control = std::make_unique<Control>(n.name, ssh_transport(so));
  }
}

Status Cluster::start_db(std::unique_ptr<Db> db, int64_t timeout_ms) {
  db_ = std::move(db);
  std::vector<Node*> all = node_ptrs();
  for (Node* n : all) {
    if (auto s = db_->setup(*n, all); !s) return s;
  }
  for (Node* n : all) {
    if (auto s = db_->wait_ready(*n, timeout_ms); !s) return s;
  }
  return {};
}

Status Cluster::collect(const std::string& dir) {
  if (!db_) return {};
  std::string errors;
  for (auto& n : nodes_) {
    if (auto s = db_->collect(n, dir + "/" + n.name); !s) errors += (errors.empty() ? "" : "; ") + s.error();
  }
  if (!errors.empty()) return err(errors);
  return {};
}

Status Cluster::destroy() {
  if (destroyed_) return {};
  destroyed_ = true;
  std::string errors;
  auto note = [&](const Status& s) {
    if (!s) errors += (errors.empty() ? "" : "; ") + s.error();
  };
  if (db_) {
    for (auto& n : nodes_) {
      // Stopped processes die of SIGKILL; teardown kills and removes the data.
      note(db_->teardown(n));
    }
  }
  if (!network_) {
    for (auto& n : nodes_) {
      (void)n.control->exec({"nft", "delete", "table", "inet", "squall"}, 10'000);
      // The node's own directory, then the run directory if that left it empty: hosts
      // may share a filesystem with the control node (whose run directory holds the SSH
      // control sockets still in use).
      auto r = n.control->run(
          {"sh", "-c", "rm -rf \"$1\" && { rmdir \"$2\" 2>/dev/null || true; }", "sh", n.dir, run_dir_}, 15'000);
      if (!r.ok()) note(err(r.error()));
    }
  }
  // SSH master connections end before the namespaces they reach.
  for (auto& n : nodes_) n.control->transport().close();
  if (network_) note(network_->destroy());
  // Whatever still runs from the run directory (a master connection left by a failed
  // close, a daemon outside the namespaces) goes with the directory.
  note(remove_recorded({{"dir", run_dir_}}).failed.empty() ? Status{} : err("cannot remove " + run_dir_));
  if (errors.empty() && state_) state_->remove();
  if (!errors.empty())
    return err(errors + fmt::format(" (run `squall cluster cleanup` to retry; state in {})", state_->path()));
  return {};
}

}  // namespace squall::cluster
