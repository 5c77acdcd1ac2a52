// kafka: a replicated log per key, with Maelstrom's send / poll / commit_offsets /
// list_committed_offsets RPCs, checked by the kafka checker (src/checker/kafka/).
//
// Generator: keys are the strings "0", "1", ...; kActiveKeys of them take sends at any
// time, and a key retires after kSendsPerKey sends (the next unused key takes its
// place), so every key's log stays short enough for one final poll. Messages are
// increasing integers, unique across keys. Each client thread acts as a consumer with
// a position per key (where its next poll starts); polls cover every key opened so far
// and advance the positions past what they returned; commits record the last offset
// polled per key. Now and then a client "crashes": it forgets its positions and reopens
// by asking list_committed_offsets, resuming each key at its committed offset. That
// op is recorded as f :assign, so the checker forgets the process's poll positions
// there (going back after a reopen is allowed). The final phase polls every key from
// offset 0 on every node.
//
// Client state is updated from replies in complete(); the harness calls it on its one
// event loop, and which thread an op belongs to travels in Invocation::thread.
//
// History values (the object form src/checker/kafka/convert.h reads): send {"key","msg"} and on
// ok also "offset"; poll {"offsets"} and on ok {"msgs"}; commit_offsets {"offsets"};
// list_committed_offsets {"keys"} and on ok {"offsets"}; assign {"keys"} and on ok
// {"keys","offsets"}.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <map>

#include "checker/kafka/checker.h"
#include "checker/kafka/convert.h"
#include "history/edn.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

constexpr int64_t kActiveKeys = 4;
constexpr int64_t kSendsPerKey = 200;
constexpr size_t kSummaryLinesMax = 24;

// Percent of main-phase ops of each kind (the rest are reopens).
constexpr uint64_t kSendPct = 45, kPollPct = 42, kCommitPct = 8, kListPct = 4;

std::string quoted(std::string_view s) {
  std::string out;
  history::append_quoted(&out, s);
  return out;
}

// JSON from the kafka checker as a result Value: object members become keywords, in
// the checker's order.
history::Value to_result(const rapidjson::Value& j) {
  history::FromJson how;
  how.keep_order = true;
  how.keyword_keys = true;
  return history::value_from_json(j, how);
}

// {key: int}; false when the value has another shape. Any integer is an offset, as in
// Maelstrom's schema: nodes commonly answer -1 for "nothing committed yet".
bool read_offsets(const rapidjson::Value& v, std::map<std::string, int64_t>* out) {
  if (!v.IsObject()) return false;
  for (const auto& m : v.GetObject()) {
    if (!m.value.IsInt64()) return false;
    (*out)[std::string(m.name.GetString(), m.name.GetStringLength())] = m.value.GetInt64();
  }
  return true;
}

std::string offsets_json(const std::map<std::string, int64_t>& offsets) {
  std::string out = "{";
  for (const auto& [k, o] : offsets) {
    if (out.size() > 1) out += ",";
    out += quoted(k) + ":" + std::to_string(o);
  }
  return out + "}";
}

// Checks poll_ok's msgs: {key: [[offset, msg], ...]} with integer offsets and messages.
std::optional<std::string> msgs_problem(const rapidjson::Value& msgs) {
  if (!msgs.IsObject()) return "poll_ok \"msgs\" must be an object of keys to [offset, msg] pairs";
  for (const auto& m : msgs.GetObject()) {
    if (!m.value.IsArray()) return "poll_ok \"msgs\" entries must be arrays of [offset, msg] pairs";
    for (const auto& p : m.value.GetArray()) {
      if (!p.IsArray() || p.Size() != 2 || !p[0].IsInt64() || !p[1].IsInt64())
        return "poll_ok messages must be [offset, msg] pairs of integers";
    }
  }
  return std::nullopt;
}

class Kafka final : public Workload {
 public:
  std::string_view name() const override { return "kafka"; }

  Invocation next(const GenContext& ctx, Rng& rng) override {
    open_keys();
    auto thread = static_cast<size_t>(std::max(0, ctx.thread));
    if (clients_.size() <= thread) clients_.resize(thread + 1);
    Invocation inv;
    inv.thread = static_cast<int>(thread);
    uint64_t roll = rng.below(100);
    if (roll < kSendPct) {
      size_t slot = rng.below(active_.size());
      int64_t key = active_[slot].key;
      inv.f = "send";
      inv.value = fmt::format(R"({{"key":"{}","msg":{}}})", key, next_msg_++);
      if (--active_[slot].sends_left == 0) active_[slot] = Active{keys_opened_++, kSendsPerKey};
      return inv;
    }
    roll -= kSendPct;
    if (roll >= kPollPct && roll < kPollPct + kCommitPct) {
      std::map<std::string, int64_t> commit;
      for (const auto& [k, pos] : clients_[thread].positions)
        if (pos > 0) commit[k] = pos - 1;  // the last offset this client has polled
      if (!commit.empty()) {
        inv.f = "commit_offsets";
        inv.value = R"({"offsets":)" + offsets_json(commit) + "}";
        return inv;
      }
      // Nothing polled yet: nothing to commit, so poll instead.
    } else if (roll >= kPollPct + kCommitPct) {
      bool reopen = roll >= kPollPct + kCommitPct + kListPct;
      inv.f = reopen ? "assign" : "list_committed_offsets";
      inv.value = R"({"keys":)" + keys_json() + "}";
      if (reopen) clients_[thread].positions.clear();  // the crash: positions are forgotten
      return inv;
    }
    std::map<std::string, int64_t> from;
    for (int64_t k = 0; k < keys_opened_; ++k) {
      auto it = clients_[thread].positions.find(std::to_string(k));
      from[std::to_string(k)] = it == clients_[thread].positions.end() ? 0 : it->second;
    }
    inv.f = "poll";
    inv.value = R"({"offsets":)" + offsets_json(from) + "}";
    return inv;
  }

  std::optional<Invocation> final_op() const override {
    std::map<std::string, int64_t> from;
    for (int64_t k = 0; k < keys_opened_; ++k) from[std::to_string(k)] = 0;
    return Invocation{"poll", R"({"offsets":)" + offsets_json(from) + "}"};
  }

  std::string request_body(const Invocation& inv) const override {
    rapidjson::Document v;
    v.Parse(inv.value.data(), inv.value.size());
    SQ_ASSERT_MSG(!v.HasParseError() && v.IsObject(), inv.value);
    if (inv.f == "send") {
      return fmt::format(R"({{"type":"send","key":{},"msg":{}}})", history::json_text(v["key"]),
                         history::json_text(v["msg"]));
    }
    if (inv.f == "poll") return R"({"type":"poll","offsets":)" + history::json_text(v["offsets"]) + "}";
    if (inv.f == "commit_offsets")
      return R"({"type":"commit_offsets","offsets":)" + history::json_text(v["offsets"]) + "}";
    SQ_ASSERT_MSG(inv.f == "list_committed_offsets" || inv.f == "assign", inv.f);
    return R"({"type":"list_committed_offsets","keys":)" + history::json_text(v["keys"]) + "}";
  }

  bool idempotent(std::string_view f) const override {
    return f == "poll" || f == "list_committed_offsets" || f == "assign";
  }

  Completion complete(const Invocation& inv, const rapidjson::Value& reply) const override {
    Completion c;
    if (inv.f == "send") {
      if (auto bad = check_reply_schema(name(), "send", reply)) return *bad;
      c.value = inv.value;
      c.value.pop_back();
      c.value += fmt::format(R"(,"offset":{}}})", reply["offset"].GetInt64());
      return c;
    }
    if (inv.f == "poll") {
      if (auto bad = check_reply_schema(name(), "poll", reply)) return *bad;
      if (auto problem = msgs_problem(reply["msgs"])) return malformed(*problem);
      if (inv.thread >= 0) advance(static_cast<size_t>(inv.thread), reply["msgs"]);
      c.value = R"({"msgs":)" + history::json_text(reply["msgs"]) + "}";
      return c;
    }
    if (inv.f == "commit_offsets") {
      if (auto bad = check_reply_schema(name(), "commit_offsets", reply)) return *bad;
      c.value = inv.value;
      return c;
    }
    if (auto bad = check_reply_schema(name(), "list_committed_offsets", reply)) return *bad;
    std::map<std::string, int64_t> committed;
    if (!read_offsets(reply["offsets"], &committed))
      return malformed("list_committed_offsets_ok \"offsets\" must be an object of keys to integers");
    if (inv.f == "list_committed_offsets") {
      c.value = R"({"offsets":)" + offsets_json(committed) + "}";
      return c;
    }
    // The reopened client resumes each key at its committed offset itself, as
    // Maelstrom's client does (so the last committed message may be polled again).
    if (inv.thread >= 0) {
      auto& positions = clients_[static_cast<size_t>(inv.thread)].positions;
      positions.clear();
      for (const auto& [k, off] : committed) positions[k] = off;
    }
    c.value = inv.value;
    c.value.pop_back();
    c.value += R"(,"offsets":)" + offsets_json(committed) + "}";
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    std::vector<checker::kafka::Event> ops;
    ops.reserve(history.size());
    for (const Op& op : history) {
      if (op.process == kNemesisProcess) continue;
      auto k =
          checker::kafka::op_from_json(history::to_string(op.type), op.f, op.value, op.process, op.time_ns, op.index);
      if (!k.ok()) {
        // The workload wrote this history itself, so this is a bug, but the run's
        // record must survive it: the verdict is unknown, with the reason.
        Value r = Value::array_map();
        checker::set_unknown(&r, "the history could not be read as kafka operations: " + k.error());
        return r;
      }
      ops.push_back(std::move(*k));
    }
    checker::kafka::CheckResult result = checker::kafka::check(ops);
    rapidjson::Document j;
    std::string text = checker::kafka::to_json(result);
    j.Parse(text.data(), text.size());
    SQ_ASSERT(!j.HasParseError() && j.IsObject());
    Value r = Value::array_map();
    r.set("valid?", checker::verdict_value(result.valid ? Verdict::kValid : Verdict::kInvalid));
    for (const auto& m : j.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (k == "valid") continue;
      r.set(Value::keyword(std::string(k)), to_result(m.value));
    }
    Value summary = Value::vector();
    Value report = Value::vector();  // the anomaly lines, without the verdict line
    std::string lines = checker::kafka::summary(result);
    size_t start = 0;
    while (start < lines.size() && summary.items().size() < kSummaryLinesMax) {
      size_t nl = lines.find('\n', start);
      if (nl == std::string::npos) nl = lines.size();
      if (nl > start) {
        std::string line = lines.substr(start, nl - start);
        if (!summary.items().empty()) report.push("kafka " + line.substr(line.find_first_not_of(' ')));
        summary.push(std::move(line));
      }
      start = nl + 1;
    }
    r.set("summary", std::move(summary));
    if (!result.valid) r.set("report-lines", std::move(report));
    return r;
  }

 private:
  struct Active {
    int64_t key = 0;
    int64_t sends_left = 0;
  };
  struct Consumer {
    std::map<std::string, int64_t> positions;  // key -> offset the next poll starts at
  };

  void open_keys() {
    while (static_cast<int64_t>(active_.size()) < kActiveKeys) active_.push_back(Active{keys_opened_++, kSendsPerKey});
  }

  std::string keys_json() const {
    std::string out = "[";
    for (int64_t k = 0; k < keys_opened_; ++k) out += (k ? ",\"" : "\"") + std::to_string(k) + "\"";
    return out + "]";
  }

  // A consumer's position moves past the last message a poll returned for each key.
  void advance(size_t thread, const rapidjson::Value& msgs) const {
    if (thread >= clients_.size()) return;
    for (const auto& m : msgs.GetObject()) {
      if (m.value.Empty()) continue;
      const auto& last = m.value[m.value.Size() - 1];
      clients_[thread].positions[std::string(m.name.GetString(), m.name.GetStringLength())] = last[0].GetInt64() + 1;
    }
  }

  std::vector<Active> active_;
  int64_t keys_opened_ = 0;
  int64_t next_msg_ = 0;
  // Consumer state of each client thread; complete() (const in the interface) updates
  // it from replies, the only place replies are seen.
  mutable std::vector<Consumer> clients_;
};

}  // namespace

std::unique_ptr<Workload> make_kafka() { return std::make_unique<Kafka>(); }

}  // namespace squall::workload
