// cluster_bringup_bench: bring-up of an etcd cluster in network namespaces (bridge,
// namespaces, veths, etcd members started, every member healthy) and its teardown
// (members killed, namespaces and links deleted, temp dir removed), timed over several
// rounds. Needs root and etcd-server. Usage: cluster_bringup_bench [nodes=5] [rounds=5]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cluster/cluster.h"
#include "cluster/etcd_db.h"

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void print_stats(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::printf("%-10s min %7.1f ms  median %7.1f ms  max %7.1f ms\n", what, v.front(), v[v.size() / 2], v.back());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace squall::cluster;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "cluster_bringup_bench: needs root (network namespaces)\n");
    return 2;
  }
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 5;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (nodes < 1 || nodes > 50 || rounds < 1) {
    std::fprintf(stderr, "usage: cluster_bringup_bench [nodes 1-50] [rounds >= 1]\n");
    return 2;
  }
  std::vector<double> up, network, down;
  for (int r = 0; r < rounds; ++r) {
    ClusterOptions o;
    o.nodes.clear();
    for (int i = 1; i <= nodes; ++i) o.nodes.push_back("n" + std::to_string(i));
    const auto t0 = std::chrono::steady_clock::now();
    auto c = Cluster::create(o);
    if (!c.ok()) {
      std::fprintf(stderr, "cluster_bringup_bench: %s\n", c.error().c_str());
      return 1;
    }
    network.push_back(ms_since(t0));
    if (auto s = (*c)->start_db(etcd_db(), 30'000); !s) {
      std::fprintf(stderr, "cluster_bringup_bench: %s\n", s.error().c_str());
      return 1;
    }
    up.push_back(ms_since(t0));
    const auto t1 = std::chrono::steady_clock::now();
    if (auto s = (*c)->destroy(); !s) {
      std::fprintf(stderr, "cluster_bringup_bench: teardown: %s\n", s.error().c_str());
      return 1;
    }
    down.push_back(ms_since(t1));
  }
  std::printf("%d-node etcd cluster, %d rounds\n", nodes, rounds);
  print_stats("network", network);
  print_stats("bring-up", up);
  print_stats("teardown", down);
  return 0;
}
