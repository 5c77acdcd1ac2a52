// Test helper: builds histories op by op with explicit times (ms).
#pragma once

#include "workload/op.h"

namespace squall::workload::testing {

class HistoryBuilder {
 public:
  HistoryBuilder& invoke(int64_t process, std::string f, std::string value, int64_t t_ms, std::string node = "n0") {
    return add(OpType::kInvoke, process, std::move(f), std::move(value), t_ms, std::move(node), false);
  }
  HistoryBuilder& complete(OpType type, int64_t process, std::string f, std::string value, int64_t t_ms,
                           std::string node = "n0", bool final = false) {
    return add(type, process, std::move(f), std::move(value), t_ms, std::move(node), final);
  }
  // A whole op: invoke at t_ms, completes at t_ms + 1.
  HistoryBuilder& op(OpType type, int64_t process, std::string f, std::string in, std::string out, int64_t t_ms,
                     std::string node = "n0", bool final = false) {
    add(OpType::kInvoke, process, f, std::move(in), t_ms, node, final);
    return add(type, process, std::move(f), std::move(out), t_ms + 1, std::move(node), final);
  }
  const History& history() const { return h_; }

 private:
  HistoryBuilder& add(OpType type, int64_t process, std::string f, std::string value, int64_t t_ms, std::string node,
                      bool final) {
    Op op;
    op.type = type;
    op.process = process;
    op.f = std::move(f);
    op.value = std::move(value);
    op.time_ns = t_ms * 1'000'000;
    op.index = static_cast<int64_t>(h_.size());
    op.node = std::move(node);
    op.final = final;
    h_.push_back(std::move(op));
    return *this;
  }
  History h_;
};

}  // namespace squall::workload::testing
