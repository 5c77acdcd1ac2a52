#include "workload/op.h"

#include <map>

#include "core/assert.h"

namespace squall::workload {

std::vector<int64_t> pair_completions(const History& history) {
  std::vector<int64_t> out(history.size(), -2);
  std::map<int64_t, size_t> open;  // process -> invocation position
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (op.process == kNemesisProcess) continue;
    if (op.type == OpType::kInvoke) {
      out[i] = -1;
      open[op.process] = i;
    } else {
      auto it = open.find(op.process);
      if (it == open.end()) continue;  // a completion without invocation: ignored
      out[it->second] = static_cast<int64_t>(i);
      open.erase(it);
    }
  }
  return out;
}

}  // namespace squall::workload
