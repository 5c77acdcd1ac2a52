#include "cluster/cluster_visuals.h"

#include <map>

#include "cluster/nemesis.h"
#include "harness/artifacts.h"
#include "harness/store.h"
#include "viz/plots.h"
#include "viz/timeline.h"

namespace squall::cluster {

viz::Ops cluster_ops(const workload::History& history, int64_t end_ns) {
  viz::Ops ops = harness::ops_from_history(history, end_ns);
  ops.nemesis.clear();
  std::map<std::string, std::string> stop_of;  // start :f -> stop :f
  for (const auto& name : nemesis_names()) {
    auto n = make_nemesis(name);
    stop_of[n->start_f()] = n->stop_f();
  }
  std::map<std::string, size_t> open;  // start :f -> its open window
  for (const workload::Op& op : history) {
    if (op.process != workload::kNemesisProcess || op.type != workload::OpType::kInfo) continue;
    if (stop_of.contains(op.f)) {
      if (open.contains(op.f)) continue;
      open[op.f] = ops.nemesis.size();
      ops.nemesis.push_back(viz::Window{op.time_ns, end_ns, op.f + " " + op.value});
      continue;
    }
    for (auto it = open.begin(); it != open.end();) {
      if (op.f == "heal-all" || stop_of[it->first] == op.f) {
        ops.nemesis[it->second].end_ns = op.time_ns;
        it = open.erase(it);
      } else {
        ++it;
      }
    }
  }
  return ops;
}

Status write_cluster_visuals(const std::string& dir, const workload::History& history, int64_t end_ns,
                             const std::string& title) {
  viz::Ops ops = cluster_ops(history, end_ns);
  Status first;
  auto write = [&](const char* name, const std::string& text) {
    Status s = harness::write_file_atomic(dir + "/" + name, text);
    if (!s.ok() && first.ok()) first = s;
  };
  write("timeline.html", viz::render_timeline(ops, title));
  write("latency-raw.svg", viz::render_latency_plot(ops));
  write("rate.svg", viz::render_rate_plot(ops));
  return first;
}

}  // namespace squall::cluster
