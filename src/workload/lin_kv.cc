// lin-kv: a linearizable key-value store, checked one key at a time as a cas-register.
//
// Generator (as Maelstrom's, which uses Jepsen's linearizable-register test): the
// client threads form groups of 2n (n = node count); each group works on one integer
// key at a time, starting with keys 0, 1, 2, ... by group index. In a group the first
// n threads read and the other n write or cas (one write to two cas), over values 0-4.
// There is no limit on ops per key: a key retires once kProcessesPerKey distinct
// processes have used it (2n if that is more), and since a thread continues as a new
// process after each indeterminate op, keys turn over as ops time out or crash; the
// group then moves on to the next key nobody has used. This keeps the indeterminate
// ops of one key, which make the linearizability search expensive, few.
//
// History values are Jepsen's independent tuples: read [k v], write [k v], cas
// [k [from to]]. A read answered with error 20 (key-does-not-exist) is recorded by the
// harness as a fail, but it is an observation: the checker takes it as an ok read of
// nil, since a missing key is the cas-register's initial nil value. Other failures did
// not happen and are dropped; info ops may have happened.
//
// Checker: the whole keyed history goes to checker::check_linearizable with the
// cas-register model, which splits it by key and searches keys in parallel. The result
// has Jepsen's independent shape: {:valid? :results {key result} :failures [keys]}; the
// store writes each key's result under independent/<key>/. A key whose every op failed
// has nothing to check and is valid, as under Jepsen's independent checker; keys the
// engine did not search because another key was already invalid are reported as
// unknown. Every unknown key, and an unknown whole, carries its :reason.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <set>
#include <string_view>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "history/edn.h"
#include "history/history.h"
#include "model/model.h"
#include "proto/error_code.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

// Jepsen's linearizable-register test limits each key to this many processes.
constexpr int kProcessesPerKey = 20;
constexpr int64_t kValueMax = 4;
constexpr uint64_t kCheckTimeoutMs = 60'000;
constexpr uint64_t kCheckMemoryBytes = 4ull << 30;
constexpr size_t kPrefixShownMax = 12;
constexpr size_t kReportLinesMax = 8;
// An independent tuple [k v] from the history; the generator only writes well-formed ones.
struct Tuple {
  int64_t key = 0;
  rapidjson::Document doc;
  const rapidjson::Value& value() const { return doc[1]; }
};

Tuple parse_tuple(const std::string& json) {
  Tuple t;
  t.doc.Parse(json.data(), json.size());
  SQ_ASSERT_MSG(!t.doc.HasParseError() && t.doc.IsArray() && t.doc.Size() == 2 && t.doc[0].IsInt64(), json);
  t.key = t.doc[0].GetInt64();
  return t;
}

// The harness records an error reply as the EDN [:<code name> "text"] (src/proto names).
bool is_missing_key_error(const Op& op) { return op.error_code == proto::code_of(proto::ErrorCode::kKeyDoesNotExist); }

// The workload history as a keyed history for the checker. Lines are history.edn lines
// (index + 1), so explanations point into the store.
Result<history::History> keyed_history(const History& h) {
  history::History out;
  std::map<int64_t, const Op*> pending;
  for (const Op& op : h) {
    if (op.process == kNemesisProcess) continue;
    history::Op x;
    x.process = op.process;
    x.f = op.f;
    x.time_ns = op.time_ns;
    x.line = static_cast<int>(op.index + 1);
    const Op* inv = &op;
    if (op.type == OpType::kInvoke) {
      pending[op.process] = &op;
      x.type = history::OpType::kInvoke;
    } else {
      auto it = pending.find(op.process);
      if (it == pending.end()) return err(fmt::format("op {}: a completion without an invocation", op.index));
      inv = it->second;
      pending.erase(it);
      x.type = op.type == OpType::kOk     ? history::OpType::kOk
               : op.type == OpType::kFail ? history::OpType::kFail
                                          : history::OpType::kInfo;
    }
    Tuple in = parse_tuple(inv->value);
    x.key = history::Value::integer(in.key);
    if (op.f == "read") {
      if (op.type == OpType::kOk) {
        Tuple out_t = parse_tuple(op.value);
        x.value = history::value_from_json(out_t.value());  // maps sorted, nesting past kJsonDepthMax as text
      } else if (op.type == OpType::kFail && is_missing_key_error(op)) {
        x.type = history::OpType::kOk;  // observed: the key was absent, i.e. nil
      }
    } else {
      x.value = history::value_from_json(in.value());
    }
    if (auto st = out.append(std::move(x)); !st.ok()) return err(fmt::format("op {}: {}", op.index, st.error()));
  }
  return out;
}

Value key_result(const history::History& h, const checker::KeyResult& k, const checker::LinearizabilityResult& whole) {
  Value r = Value::array_map();
  Verdict v = k.verdict;
  r.set("valid?", checker::verdict_value(v));
  r.set("op-count", static_cast<int64_t>(k.calls.size()));
  if (v == Verdict::kUnknown) {
    checker::set_unknown(&r, k.reason.empty() ? "the search ended without a verdict" : k.reason);
  } else if (!k.reason.empty()) {
    r.set("reason", k.reason);
  }
  if (k.explanation) {
    const checker::Explanation& e = *k.explanation;
    r.set("failing-op", checker::describe_call(h, e.failing_op));
    r.set("linearizable-prefix-length", static_cast<int64_t>(e.prefix.size()));
    Value states = Value::vector();
    for (const auto& s : e.states) states.push(s);
    r.set("final-states", std::move(states));
    checker::LinearizabilityResult one;
    one.verdict = whole.verdict;
    one.model = whole.model;
    one.keys.push_back(k);
    r.set("explanation", checker::explain_text(h, one, kPrefixShownMax));
  }
  r.set("search-steps", static_cast<int64_t>(k.stats.steps));
  r.set("configurations", static_cast<int64_t>(k.stats.configurations));
  r.set("elapsed-ms", k.stats.elapsed_ms);
  return r;
}

// "key 3 is not linearizable: ..., cannot linearize #37 p2 :read ..., states {1 2}".
std::string report_line(int64_t key, const Value& kr) {
  std::string line = fmt::format("key {} is not linearizable", key);
  if (const Value* op = kr.get("failing-op")) line += ": cannot linearize " + op->as_string();
  if (const Value* states = kr.get("final-states")) {
    std::string list;
    for (const auto& s : states->items()) list += (list.empty() ? "" : ", ") + s.as_string();
    line += " from any reachable value (" + list + ")";
  }
  return line + fmt::format("; see independent/{}/results.edn", key);
}

// Calls on one key: all of them, and those that may have happened (not :fail).
struct KeyOps {
  int64_t invoked = 0;
  int64_t possible = 0;
};

// The result of a key the search never looked at. A key whose every call failed has an
// empty sub-history, which is trivially linearizable (as under Jepsen's independent
// checker); any other key is left out only when the search stopped at an invalid key.
Value unsearched_key(const KeyOps& ops) {
  Value kr = Value::array_map();
  kr.set("valid?", checker::verdict_value(Verdict::kValid));
  kr.set("op-count", ops.invoked);
  if (ops.possible == 0) {
    kr.set("note", "every operation on this key failed, so it constrains nothing");
    return kr;
  }
  checker::set_unknown(&kr, "not searched: the check stopped at the first non-linearizable key");
  return kr;
}

class LinKv final : public Workload {
 public:
  std::string_view name() const override { return "lin-kv"; }

  Status validate(int node_count, int concurrency) const override {
    if (node_count < 1 || concurrency % (2 * node_count) != 0) {
      return err(
          fmt::format("the lin-kv workload runs 2n = {} client threads per key, so --concurrency must be a "
                      "multiple of {} (e.g. --concurrency 2n), got {}",
                      2 * node_count, 2 * node_count, concurrency));
    }
    return {};
  }

  std::string default_concurrency() const override { return "2n"; }
  double default_rpc_timeout_s(double mean_latency_ms) const override {
    return std::max(10 * mean_latency_ms / 1000, 1.0);
  }

  Invocation next(const GenContext& ctx, Rng& rng) override {
    int n = std::max(1, ctx.node_count);
    int per_key = 2 * n;
    int thread = std::max(0, ctx.thread);
    auto group = static_cast<size_t>(thread / per_key);
    if (groups_.empty()) {
      // Group g starts on key g; later keys are handed out in the order groups need them.
      groups_.resize(static_cast<size_t>(std::max(1, ctx.concurrency / per_key)));
      for (size_t i = 0; i < groups_.size(); ++i) groups_[i].key = static_cast<int64_t>(i);
      next_key_ = static_cast<int64_t>(groups_.size());
    }
    if (group >= groups_.size()) groups_.resize(group + 1, Group{next_key_++, {}});  // outside validate()'s contract
    Group& g = groups_[group];
    int64_t process = ctx.process >= 0 ? ctx.process : thread;
    // A thread gets a fresh process after each indeterminate op; once more distinct
    // processes than the limit would have used the key, the group moves to a fresh one.
    size_t limit = static_cast<size_t>(std::max(kProcessesPerKey, per_key));
    if (!g.processes.contains(process) && g.processes.size() >= limit) {
      g.key = next_key_++;
      g.processes.clear();
    }
    g.processes.insert(process);
    if (thread % per_key < n) return Invocation{"read", fmt::format("[{},null]", g.key)};
    if (rng.below(3) == 0) return Invocation{"write", fmt::format("[{},{}]", g.key, rng.range(0, kValueMax))};
    int64_t from = rng.range(0, kValueMax);
    int64_t to = rng.range(0, kValueMax);
    return Invocation{"cas", fmt::format("[{},[{},{}]]", g.key, from, to)};
  }

  std::string request_body(const Invocation& inv) const override {
    Tuple t = parse_tuple(inv.value);
    if (inv.f == "read") return fmt::format(R"({{"type":"read","key":{}}})", t.key);
    if (inv.f == "write")
      return fmt::format(R"({{"type":"write","key":{},"value":{}}})", t.key, history::json_text(t.value()));
    SQ_ASSERT_MSG(inv.f == "cas" && t.value().IsArray() && t.value().Size() == 2, inv.f << " " << inv.value);
    return fmt::format(R"({{"type":"cas","key":{},"from":{},"to":{}}})", t.key, history::json_text(t.value()[0]),
                       history::json_text(t.value()[1]));
  }

  bool idempotent(std::string_view f) const override { return f == "read"; }

  Completion complete(const Invocation& inv, const rapidjson::Value& reply) const override {
    if (inv.f == "read") {
      if (auto bad = check_reply_schema(name(), "read", reply)) return *bad;
      Completion c;
      c.value = fmt::format("[{},{}]", parse_tuple(inv.value).key, history::json_text(reply["value"]));
      return c;
    }
    if (auto bad = check_reply_schema(name(), inv.f, reply)) return *bad;
    Completion c;
    c.value = inv.value;
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    Value r = Value::array_map();
    auto keyed = keyed_history(history);
    if (!keyed.ok()) {
      checker::set_unknown(&r, "the history could not be read as lin-kv operations: " + keyed.error());
      return r;
    }
    // A read that got error 20 is recorded as a read of nil, the register's initial value:
    // the strict reading, not Knossos's "value unknown".
    model::ModelOptions model_options;
    model_options.nil_read = model::NilRead::kStrict;
    auto model = model::make_model("cas-register", model_options);
    SQ_ASSERT(model.ok());
    checker::CheckOptions opt;
    opt.split_by_key = true;
    opt.timeout_ms = kCheckTimeoutMs;
    opt.memory_limit_bytes = kCheckMemoryBytes;
    auto verdict = checker::check_linearizable(*keyed, **model, opt);
    if (!verdict.ok()) {
      checker::set_unknown(&r, "the linearizability checker refused the history: " + verdict.error());
      return r;
    }
    // Every key the history touched, so unsearched keys still get an entry.
    std::map<int64_t, KeyOps> ops_per_key;
    for (const auto& call : keyed->calls()) {
      KeyOps& k = ops_per_key[(*keyed)[call.invoke].key->as_int()];
      ++k.invoked;
      if (call.outcome != history::OpType::kFail) ++k.possible;
    }
    std::map<int64_t, const checker::KeyResult*> searched;
    for (const auto& k : verdict->keys) searched[k.key->as_int()] = &k;

    Verdict overall = Verdict::kValid;
    Value results = Value::array_map();
    Value failures = Value::vector();
    Value report = Value::vector();         // anomaly lines for the report
    std::vector<std::string> unknown_keys;  // "key 3: <why>", for the top-level reason
    for (const auto& [key, count] : ops_per_key) {
      auto it = searched.find(key);
      Value kr = it != searched.end() ? key_result(*keyed, *it->second, *verdict) : unsearched_key(count);
      Verdict kv = checker::verdict_of(kr);
      overall = merge(overall, kv);
      if (kv == Verdict::kInvalid) {
        failures.push(key);
        if (report.items().size() < kReportLinesMax) report.push(report_line(key, kr));
      } else if (kv == Verdict::kUnknown) {
        std::string why = fmt::format("key {}: linearizability unknown: {}", key, checker::unknown_reason(kr));
        if (report.items().size() < kReportLinesMax) report.push(why);
        unknown_keys.push_back(std::move(why));
      }
      results.set(Value(key), std::move(kr));
    }
    if (overall == Verdict::kUnknown) {
      checker::set_unknown(&r, fmt::format("{} of {} keys unknown; first {}", unknown_keys.size(), ops_per_key.size(),
                                           unknown_keys.front()));
    } else {
      r.set("valid?", checker::verdict_value(overall));
    }
    r.set("model", "cas-register");
    r.set("key-count", static_cast<int64_t>(ops_per_key.size()));
    r.set("failures", std::move(failures));
    r.set("search-steps", static_cast<int64_t>(verdict->stats.steps));
    r.set("elapsed-ms", verdict->stats.elapsed_ms);
    r.set("results", std::move(results));
    if (!report.items().empty()) r.set("report-lines", std::move(report));
    return r;
  }

 private:
  struct Group {
    int64_t key = 0;
    std::set<int64_t> processes;  // the processes that have used `key`
  };
  std::vector<Group> groups_;  // by thread / 2n
  int64_t next_key_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_lin_kv() { return std::make_unique<LinKv>(); }

}  // namespace squall::workload
