// txn-list-append and txn-rw-register: transactions of micro-ops over integer keys,
// checked for isolation anomalies by the txn checker (src/checker/txn).
//
// Generator (as Maelstrom's, which uses Elle's): a few keys are active at a time
// (--key-count, default 3); each micro-op picks one of them with an exponential bias
// (the i-th active key with probability 2^-(i+1)), and is a read or a write (append for
// list-append) with equal odds. Written values count up per key from 1, so every
// (key, value) is written once, which is what lets the checker name a read's writer. A
// key retires once it has had --max-writes-per-key writes (default 16) and a fresh key
// takes its slot, so lists stay short and version orders stay inferable. A transaction
// has 1 to --max-txn-length micro-ops (default 4), uniformly.
//
// Client: txn{txn:[[f,k,v]...]} -> txn_ok{txn:[...]}; reads are sent with a null value
// and come back with what was read (a list of integers or null for list-append, an
// integer or null for rw-register). A reply whose micro-ops do not match the request
// (count, f, key, written value, read shape) is malformed. Error replies are the
// harness's: definite codes (11 temporarily-unavailable, 30 txn-conflict, ...) give
// :fail, others :info, as in Maelstrom.
//
// Checker: the txn checker with --consistency-models (default strict-serializable); the
// result is Elle's map ({:valid? :anomaly-types :anomalies :not :also-not ...}) plus the
// report lines.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <map>

#include "checker/result_map.h"
#include "checker/txn/checker.h"
#include "checker/txn/convert.h"
#include "history/edn.h"
#include "history/history.h"
#include "workload/workloads.h"

namespace squall::workload {

using history::Value;

namespace {

constexpr int kDefaultKeyCount = 3;
constexpr int kDefaultMaxTxnLength = 4;
constexpr int kDefaultMaxWritesPerKey = 16;
constexpr size_t kTxnReportLinesMax = 12;

class Txn final : public Workload {
 public:
  Txn(bool list_append, const WorkloadOptions& o, std::vector<std::string> models)
      : list_append_(list_append),
        key_count_(o.key_count.value_or(kDefaultKeyCount)),
        max_txn_length_(o.max_txn_length.value_or(kDefaultMaxTxnLength)),
        max_writes_per_key_(o.max_writes_per_key.value_or(kDefaultMaxWritesPerKey)),
        models_(std::move(models)) {}

  std::string_view name() const override { return list_append_ ? "txn-list-append" : "txn-rw-register"; }

  Invocation next(const GenContext&, Rng& rng) override {
    while (static_cast<int>(active_.size()) < key_count_) active_.push_back({next_key_++, 0});
    int64_t len = rng.range(1, max_txn_length_);
    std::string mops;
    for (int64_t i = 0; i < len; ++i) {
      size_t slot = pick_slot(rng);
      int64_t key = active_[slot].key;
      if (!mops.empty()) mops += ",";
      if (rng.below(2) == 0) {
        mops += fmt::format(R"(["r",{},null])", key);
        continue;
      }
      int64_t value = ++active_[slot].writes;
      mops += fmt::format(R"(["{}",{},{}])", list_append_ ? "append" : "w", key, value);
      if (active_[slot].writes >= max_writes_per_key_) active_[slot] = {next_key_++, 0};
    }
    return Invocation{"txn", "[" + mops + "]"};
  }

  std::string request_body(const Invocation& inv) const override { return R"({"type":"txn","txn":)" + inv.value + "}"; }

  bool idempotent(std::string_view) const override { return false; }

  Completion complete(const Invocation& inv, const rapidjson::Value& reply) const override {
    if (auto bad = check_reply_schema(name(), "txn", reply)) return *bad;
    rapidjson::Document req;
    req.Parse(inv.value.data(), inv.value.size());
    SQ_ASSERT(!req.HasParseError() && req.IsArray());
    const auto& got = reply["txn"];
    if (got.Size() != req.Size())
      return malformed(fmt::format("txn_ok has {} micro-ops for a txn of {}", got.Size(), req.Size()));
    for (rapidjson::SizeType i = 0; i < got.Size(); ++i) {
      if (auto problem = mop_problem(req[i], got[i]))
        return malformed(fmt::format("txn_ok micro-op {}: {}", i, *problem));
    }
    Completion c;
    c.value = history::json_text(got);
    return c;
  }

  Value check(const History& history, const CheckContext&) const override {
    Value r = Value::array_map();
    history::History h;
    for (const Op& op : history) {
      if (op.process == kNemesisProcess) continue;
      history::Op x;
      x.type = op.type;
      x.process = op.process;
      x.f = op.f;
      x.value = history::parse_json_value(op.value);
      x.time_ns = op.time_ns;
      x.line = static_cast<int>(op.index + 1);
      if (auto s = h.append(std::move(x)); !s.ok()) {
        checker::set_unknown(&r, fmt::format("op {}: {}", op.index, s.error()));
        return r;
      }
    }
    auto workload = list_append_ ? checker::txn::Workload::kListAppend : checker::txn::Workload::kRwRegister;
    auto th = checker::txn::from_history(h, workload);
    if (!th.ok()) {
      checker::set_unknown(&r, "the history could not be read as transactions: " + th.error());
      return r;
    }
    checker::txn::Options o;
    o.workload = workload;
    o.consistency_models = models_;
    auto result = checker::txn::check(*th, o);
    r = checker::txn::to_value(result);
    if (result.verdict == Verdict::kUnknown) checker::set_unknown(&r, result.unknown_reason);
    Value models = Value::vector();
    for (const auto& m : models_) models.push(Value::keyword(m));
    r.set("consistency-models", models);
    if (result.verdict != Verdict::kValid) {
      Value lines = Value::vector();
      for (const auto& [type, texts] : result.texts) {
        if (lines.size() >= kTxnReportLinesMax) break;
        std::string first = texts.empty() ? "" : texts.front();
        for (auto& ch : first)
          if (ch == '\n') ch = ' ';
        lines.push(fmt::format("{} ({}): {}", type, result.counts.at(type), first));
      }
      r.set("report-lines", lines);
    }
    return r;
  }

 private:
  struct Active {
    int64_t key;
    int64_t writes;
  };

  // The i-th active key with probability 2^-(i+1) (the last takes what remains): a
  // geometric draw, which needs no table however many keys are active.
  size_t pick_slot(Rng& rng) const {
    size_t i = 0;
    while (i + 1 < active_.size() && rng.below(2) == 1) ++i;
    return i;
  }

  std::optional<std::string> mop_problem(const rapidjson::Value& want, const rapidjson::Value& got) const {
    if (!got.IsArray() || got.Size() != 3) return "expected [f, k, v]";
    if (!got[0].IsString() || std::string_view(got[0].GetString()) != want[0].GetString())
      return fmt::format("expected f \"{}\"", want[0].GetString());
    if (got[1] != want[1]) return fmt::format("expected key {}", history::json_text(want[1]));
    if (std::string_view(want[0].GetString()) != "r") {
      if (got[2] != want[2]) return fmt::format("expected the written value {}", history::json_text(want[2]));
      return std::nullopt;
    }
    const auto& v = got[2];
    if (v.IsNull()) return std::nullopt;
    if (list_append_) {
      if (!v.IsArray()) return "a read must return a list of integers or null";
      for (const auto& e : v.GetArray())
        if (!e.IsInt64()) return "a read must return a list of integers or null";
      return std::nullopt;
    }
    if (!v.IsInt64()) return "a read must return an integer or null";
    return std::nullopt;
  }

  bool list_append_;
  int key_count_;
  int max_txn_length_;
  int max_writes_per_key_;
  std::vector<std::string> models_;
  std::vector<Active> active_;
  int64_t next_key_ = 0;
};

}  // namespace

Result<std::unique_ptr<Workload>> make_txn(bool list_append, const WorkloadOptions& options) {
  if (Status s = validate(options); !s.ok()) return err(s.error());
  std::vector<std::string> models;
  for (const auto& m : options.consistency_models) {
    auto c = checker::txn::canonical_model(m);
    if (!c) {
      std::string known;
      for (const auto& k : checker::txn::model_names()) known += (known.empty() ? "" : ", ") + k;
      return err("unknown consistency model '" + m + "' (known: " + known + ")");
    }
    models.push_back(*c);
  }
  if (models.empty()) models.push_back("strict-serializable");
  return std::unique_ptr<Workload>(std::make_unique<Txn>(list_append, options, std::move(models)));
}

}  // namespace squall::workload
