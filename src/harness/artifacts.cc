#include "harness/artifacts.h"

#include <map>

#include "core/assert.h"
#include "harness/store.h"
#include "viz/message_diagram.h"
#include "viz/message_table.h"
#include "viz/plots.h"
#include "viz/timeline.h"

namespace squall::harness {
namespace {

viz::Outcome outcome_of(history::OpType t) {
  switch (t) {
    case history::OpType::kOk: return viz::Outcome::kOk;
    case history::OpType::kFail: return viz::Outcome::kFail;
    case history::OpType::kInfo: return viz::Outcome::kInfo;
    case history::OpType::kInvoke: break;
  }
  SQ_UNREACHABLE("an invocation is no outcome");
}

// The nemesis records each change twice (as it starts, then with what it did); a
// partition window runs from the first start-partition to the next stop-partition, a
// kill window from kill to start (restart) of that node, a pause window from pause to
// resume, each to the end if it never closed. Windows of different faults may overlap.
std::string node_of(const std::string& value) {
  const std::string key = "\"node\":\"";
  size_t at = value.find(key);
  if (at == std::string::npos) return "";
  size_t from = at + key.size();
  size_t to = value.find('"', from);
  return to == std::string::npos ? "" : value.substr(from, to - from);
}

void add_nemesis(const workload::Op& op, int64_t end_ns, std::vector<viz::Window>* windows,
                 std::map<std::string, size_t>* open) {
  auto close = [&](const std::string& key) {
    auto it = open->find(key);
    if (it == open->end()) return;
    (*windows)[it->second].end_ns = op.time_ns;
    open->erase(it);
  };
  if (op.f == "start-partition") {
    if (!open->count("partition")) {
      windows->push_back(viz::Window{op.time_ns, end_ns, "partition"});
      (*open)["partition"] = windows->size() - 1;
    }
    if (op.value != "null") (*windows)[open->at("partition")].label = "partition " + op.value;
  } else if (op.f == "stop-partition") {
    close("partition");
  } else if (op.value != "null" && (op.f == "kill" || op.f == "pause")) {
    std::string key = op.f + " " + node_of(op.value);
    if (!open->count(key)) {
      windows->push_back(viz::Window{op.time_ns, end_ns, key});
      (*open)[key] = windows->size() - 1;
    }
  } else if (op.value != "null" && op.f == "start") {
    close("kill " + node_of(op.value));
  } else if (op.value != "null" && op.f == "resume") {
    close("pause " + node_of(op.value));
  }
}

std::string message_table(const net::Journal& journal, const std::vector<std::string>& names,
                          const viz::MessageLabels& labels) {
  std::string out(viz::kMessageTableHeader);
  out += '\n';
  for (const viz::DiagramMessage& m : viz::messages_of(journal, names, labels)) out += viz::format_message_row(m);
  return out;
}

}  // namespace

viz::Ops ops_from_history(const workload::History& history, int64_t end_ns) {
  viz::Ops ops;
  ops.end_ns = end_ns;
  std::vector<int64_t> completion = workload::pair_completions(history);
  std::map<std::string, size_t> open_windows;
  for (size_t i = 0; i < history.size(); ++i) {
    const workload::Op& op = history[i];
    if (op.process == workload::kNemesisProcess) {
      add_nemesis(op, end_ns, &ops.nemesis, &open_windows);
      continue;
    }
    if (op.type != history::OpType::kInvoke) continue;
    viz::OpSpan s;
    s.index = static_cast<int64_t>(i);
    s.process = op.process;
    s.f = op.f;
    s.invoke_ns = op.time_ns;
    s.invoke_value = op.value;
    s.node = op.node;
    if (completion[i] >= 0) {
      const workload::Op& done = history[static_cast<size_t>(completion[i])];
      s.outcome = outcome_of(done.type);
      s.complete_ns = done.time_ns;
      s.complete_value = done.value;
      s.error = done.error;
    }
    ops.spans.push_back(std::move(s));
  }
  return ops;
}

Status write_visual_artifacts(const std::string& dir, const ArtifactInputs& in) {
  SQ_ASSERT(in.history && in.journal && in.labels);
  viz::Ops ops = ops_from_history(*in.history, in.end_ns);
  Status first;
  auto write = [&](const char* name, const std::string& text) {
    Status s = write_file_atomic(dir + "/" + name, text);
    if (!s.ok() && first.ok()) first = s;
  };
  write("messages.svg", viz::render_message_diagram(*in.journal, in.endpoint_names, *in.labels,
                                                    viz::DiagramOptions{static_cast<size_t>(kDiagramMessages)}));
  write("messages.tsv", message_table(*in.journal, in.endpoint_names, *in.labels));
  write("timeline.html", viz::render_timeline(ops, in.title));
  write("latency-raw.svg", viz::render_latency_plot(ops));
  write("rate.svg", viz::render_rate_plot(ops));
  return first;
}

}  // namespace squall::harness
