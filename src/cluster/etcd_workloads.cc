#include "cluster/etcd_workloads.h"

#include <charconv>
#include <thread>

#include <fmt/format.h>

namespace squall::cluster {

const std::vector<std::string>& etcd_workload_names() {
  static const std::vector<std::string> names{"register", "set", "lock", "lock-set", "lock-fenced-set"};
  return names;
}

Result<std::unique_ptr<ClusterWorkload>> make_etcd_workload(const EtcdWorkloadOptions& o) {
  if (o.concurrency < 1) return err(fmt::format("--concurrency must be at least 1, got {}", o.concurrency));
  if (o.op_timeout_ms < 1) return err("the op timeout must be positive");
  if (o.lease_ttl_s < 1) return err(fmt::format("the lease TTL must be at least 1 s, got {}", o.lease_ttl_s));
  if (o.hold_ms < 0) return err("the hold time cannot be negative");
  if (o.stale_reads && o.name != "register") return err("stale reads are an option of the register workload only");
  if (o.name == "register") return make_register_workload(o);
  if (o.name == "set") return make_set_workload(o);
  if (o.name == "lock" || o.name == "lock-set" || o.name == "lock-fenced-set") return make_lock_workload(o);
  std::string known;
  for (const auto& n : etcd_workload_names()) known += (known.empty() ? "" : ", ") + n;
  return err(fmt::format("unknown workload '{}' (known: {})", o.name, known));
}

void run_client_threads(const std::vector<Node*>& nodes, int concurrency, const std::function<void(int, Node&)>& body) {
  SQ_ASSERT(!nodes.empty());
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(concurrency));
  for (int t = 0; t < concurrency; ++t) {
    Node* node = nodes[static_cast<size_t>(t) % nodes.size()];
    threads.emplace_back([&body, t, node] { body(t, *node); });
  }
  for (auto& th : threads) th.join();
}

std::string encode_int_set(const std::vector<int64_t>& elements) {
  std::string out;
  for (int64_t e : elements) out += (out.empty() ? "" : ",") + std::to_string(e);
  return out;
}

Result<std::vector<int64_t>> decode_int_set(const std::string& text) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    int64_t v = 0;
    auto r = std::from_chars(text.data() + start, text.data() + end, v);
    if (r.ec != std::errc() || r.ptr != text.data() + end) {
      return err(fmt::format("not an integer set: element {} is '{}'", out.size() + 1,
                             text.substr(start, std::min<size_t>(end - start, 40))));
    }
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

}  // namespace squall::cluster
