#include "harness/artifacts.h"

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

// The nemesis records each change twice (as it starts, then with what it did); a window
// runs from the first start-partition to the next stop-partition, or to the end.
void add_nemesis(const workload::Op& op, int64_t end_ns, std::vector<viz::Window>* windows) {
  bool open = !windows->empty() && windows->back().end_ns == end_ns;
  if (op.f == "start-partition") {
    if (!open) windows->push_back(viz::Window{op.time_ns, end_ns, "partition"});
    if (op.value != "null") windows->back().label = "partition " + op.value;
  } else if (op.f == "stop-partition" && open) {
    windows->back().end_ns = op.time_ns;
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
  for (size_t i = 0; i < history.size(); ++i) {
    const workload::Op& op = history[i];
    if (op.process == workload::kNemesisProcess) {
      add_nemesis(op, end_ns, &ops.nemesis);
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
