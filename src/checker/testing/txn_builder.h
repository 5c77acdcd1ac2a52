// TxnBuilder: hand-written transactional histories for tests, in EDN micro-op notation.
//
//   TxnBuilder b;
//   b.ok(0, "[[:append :x 1] [:r :y [2]]]");     // invocation and ok completion
//   b.fail(1, "[[:append :x 3]]");                // invocation and fail completion
//   b.invoke(2, "[[:r :x [1]]]"); ... b.complete(2, OpType::kOk);   // overlapping calls
// Invocations carry the micro-ops with reads unknown (nil), as clients send them; ok
// completions carry what was read. Header-only; for tests and benchmarks.
#pragma once

#include <map>
#include <string>

#include "core/assert.h"
#include "history/edn.h"
#include "history/history.h"

namespace squall::checker::txn::testing {

class TxnBuilder {
 public:
  TxnBuilder& invoke(int64_t process, const std::string& mops) {
    auto v = history::parse_edn(mops, "test");
    SQ_ASSERT_MSG(v.ok(), v.error());
    open_[process] = *v;
    push(history::OpType::kInvoke, process, unknown_reads(*v));
    return *this;
  }
  TxnBuilder& complete(int64_t process, history::OpType type) {
    auto it = open_.find(process);
    SQ_ASSERT(it != open_.end());
    push(type, process, type == history::OpType::kOk ? it->second : unknown_reads(it->second));
    open_.erase(it);
    return *this;
  }
  TxnBuilder& ok(int64_t process, const std::string& mops) {
    return invoke(process, mops).complete(process, history::OpType::kOk);
  }
  TxnBuilder& fail(int64_t process, const std::string& mops) {
    return invoke(process, mops).complete(process, history::OpType::kFail);
  }
  TxnBuilder& info(int64_t process, const std::string& mops) {
    return invoke(process, mops).complete(process, history::OpType::kInfo);
  }
  const history::History& history() const { return h_; }

 private:
  static history::Value unknown_reads(const history::Value& mops) {
    history::Value out = history::Value::vector();
    for (const auto& m : mops.items()) {
      auto items = m.items();
      if (items.size() == 3 && items[0].name() == "r") items[2] = history::Value();
      out.push(history::Value::vector(items));
    }
    return out;
  }
  void push(history::OpType type, int64_t process, history::Value value) {
    history::Op op;
    op.type = type;
    op.process = process;
    op.f = "txn";
    op.value = std::move(value);
    auto s = h_.append(std::move(op));
    SQ_ASSERT_MSG(s.ok(), s.error());
  }
  history::History h_;
  std::map<int64_t, history::Value> open_;
};

}  // namespace squall::checker::txn::testing
