#include "history/history.h"

#include "history/edn.h"

namespace squall::history {

std::string_view to_string(OpType t) {
  switch (t) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kFail: return "fail";
    case OpType::kInfo: return "info";
  }
  SQ_UNREACHABLE("op type");
}

std::optional<OpType> op_type_from(std::string_view name) {
  if (!name.empty() && name[0] == ':') name.remove_prefix(1);
  if (name == "invoke") return OpType::kInvoke;
  if (name == "ok") return OpType::kOk;
  if (name == "fail") return OpType::kFail;
  if (name == "info") return OpType::kInfo;
  return std::nullopt;
}

std::string describe(const Op& op) {
  std::string s = "p" + std::to_string(op.process) + " :" + std::string(to_string(op.type)) + " :" + op.f + " ";
  append_edn(&s, op.value);
  if (op.key) {
    s += " key=";
    append_edn(&s, *op.key);
  }
  return s;
}

namespace {

// Heap bytes a value owns beyond its own object: long strings and item arrays.
size_t value_heap_bytes(const Value& v) {
  size_t bytes = 0;
  switch (v.kind()) {
    case Value::Kind::kString:
    case Value::Kind::kKeyword:
    case Value::Kind::kSymbol:
      // Short strings live inside the object (small-string optimisation).
      return v.as_string().size() > 15 ? v.as_string().size() + 1 : 0;
    case Value::Kind::kTagged: bytes += v.as_string().size() > 15 ? v.as_string().size() + 1 : 0; [[fallthrough]];
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet:
    case Value::Kind::kMap:
      // Values read from input nest at most a bounded depth, so this recursion is bounded.
      for (const Value& item : v.items()) bytes += sizeof(Value) + value_heap_bytes(item);
      return bytes;
    default: return 0;
  }
}

}  // namespace

Status History::append(Op op) {
  if (ops_.size() >= kOpsMax) return err("history has more than the limit of " + std::to_string(kOpsMax) + " ops");
  op.index = static_cast<int64_t>(ops_.size());
  auto open = outstanding_.find(op.process);
  if (op.type == OpType::kInvoke) {
    if (open != outstanding_.end())
      return err("process " + std::to_string(op.process) + " invokes again while its op #" +
                 std::to_string(open->second) + " has not completed");
    outstanding_.emplace(op.process, ops_.size());
    match_.push_back(kNoOp);
  } else {
    if (open == outstanding_.end())
      return err("completion :" + std::string(to_string(op.type)) + " by process " + std::to_string(op.process) +
                 " has no open invocation");
    const Op& inv = ops_[open->second];
    if (inv.f != op.f)
      return err("completion :" + op.f + " does not match the open invocation :" + inv.f + " of process " +
                 std::to_string(op.process));
    match_[open->second] = static_cast<int64_t>(ops_.size());
    match_.push_back(static_cast<int64_t>(open->second));
    outstanding_.erase(open);
  }
  // Ops are stored in vectors that grow by doubling, so count their capacity, not size.
  bytes_ += sizeof(Op) + sizeof(int64_t) + value_heap_bytes(op.value) + op.f.capacity();
  if (op.key) bytes_ += value_heap_bytes(*op.key);
  ops_.push_back(std::move(op));
  return {};
}

std::vector<Call> History::calls() const {
  std::vector<Call> out;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].type != OpType::kInvoke) continue;
    Call c;
    c.invoke = i;
    c.complete = match_[i];
    c.outcome = c.complete == kNoOp ? OpType::kInfo : ops_[static_cast<size_t>(c.complete)].type;
    out.push_back(c);
  }
  return out;
}

History::Counts History::counts() const {
  Counts c;
  for (size_t i = 0; i < ops_.size(); ++i) {
    switch (ops_[i].type) {
      case OpType::kInvoke:
        ++c.invocations;
        if (match_[i] == kNoOp) ++c.pending;
        break;
      case OpType::kOk: ++c.ok; break;
      case OpType::kFail: ++c.fail; break;
      case OpType::kInfo: ++c.info; break;
    }
  }
  return c;
}

}  // namespace squall::history
