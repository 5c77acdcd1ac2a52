#include "harness/elle_graphs.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "checker/txn/models.h"
#include "harness/store.h"
#include "history/edn.h"
#include "viz/xml_writer.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;
using history::Value;

// Accessors that tolerate any shape: the result map may come from a file one day.
std::string text_of(const Value* v) {
  if (v == nullptr) return "";
  if (v->is_keyword() || v->is_string()) return v->as_string();
  return history::to_edn(*v);
}

const Value* field(const Value& m, const char* k) { return m.is_map() ? m.get(k) : nullptr; }

bool same_index(const Value& a, const Value& b) {
  const Value *x = field(a, "index"), *y = field(b, "index");
  return x && y && *x == *y;
}

// "wr 3=5", "ww x 1→2", "rw 4 ∅→1" (∅: the key's initial state), "process 2", "realtime".
std::string step_label(const Value& step, const std::vector<Value>& txns, size_t from) {
  std::string kind = text_of(field(step, "type"));
  if (kind == "process") {
    const Value* p = from < txns.size() ? field(txns[from], "process") : nullptr;
    return p ? "process " + text_of(p) : kind;
  }
  const Value* key = field(step, "key");
  if (key == nullptr) return kind;
  const Value* v = field(step, "value");
  const Value* v2 = field(step, "value'");
  std::string value = v == nullptr || v->is_nil() ? "∅" : history::to_edn(*v);
  std::string k = history::to_edn(*key);
  if (kind == "wr") return fmt::format("wr {}={}", k, value);
  if (v2 != nullptr && !v2->is_nil()) return fmt::format("{} {} {}→{}", kind, k, value, history::to_edn(*v2));
  return fmt::format("{} {}={}", kind, k, value);
}

std::optional<viz::TxnCycle> cycle_of(const std::string& type, const Value& example) {
  const Value* cycle = field(example, "cycle");
  const Value* steps = field(example, "steps");
  if (!cycle || !steps || !cycle->is_sequential() || !steps->is_sequential()) return std::nullopt;
  std::vector<Value> txns = cycle->items();
  if (txns.size() >= 2 && same_index(txns.front(), txns.back())) txns.pop_back();
  if (txns.empty()) return std::nullopt;
  viz::TxnCycle g;
  g.anomaly = type;
  checker::txn::RuledOut r = checker::txn::ruled_out({type});
  g.rules_out.assign(r.not_.begin(), r.not_.end());
  g.also_rules_out.assign(r.also_not.begin(), r.also_not.end());
  std::map<std::string, size_t> position;  // the txn's :index as EDN -> its place in the cycle
  for (const Value& t : txns) {
    viz::TxnNode n;
    std::string index = text_of(field(t, "index"));
    n.name = "T" + index;
    n.process = text_of(field(t, "process"));
    n.outcome = text_of(field(t, "type"));
    if (const Value* mops = field(t, "value"); mops && mops->is_sequential())
      for (const Value& m : mops->items()) n.mops.push_back(history::to_edn(m));
    position.emplace(index, g.txns.size());
    g.txns.push_back(std::move(n));
  }
  for (const Value& s : steps->items()) {
    const Value *f = field(s, "from"), *t = field(s, "to");
    if (f == nullptr || t == nullptr) continue;
    auto from = position.find(text_of(f));
    auto to = position.find(text_of(t));
    if (from == position.end() || to == position.end() || from->second == to->second) continue;
    g.arrows.push_back({from->second, to->second, text_of(field(s, "type")), step_label(s, txns, from->second)});
  }
  return g;
}

// Anomaly names are the checker's own, but a file name is kept to a safe alphabet anyway.
std::string file_stem(const std::string& type) {
  std::string out = type;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return out.empty() ? "anomaly" : out;
}

}  // namespace

std::vector<ElleDrawing> elle_drawings(const Value& txn_result) {
  std::vector<ElleDrawing> out;
  const Value* anomalies = field(txn_result, "anomalies");
  if (!anomalies || !anomalies->is_map()) return out;
  for (const auto& [type, examples] : anomalies->entries()) {
    if (!examples.is_sequential()) continue;
    std::string name = text_of(&type);
    size_t n = 0;
    for (const Value& ex : examples.items()) {
      auto g = cycle_of(name, ex);
      if (!g) continue;
      out.push_back({fmt::format("{}-{}.svg", file_stem(name), n++), std::move(*g)});
    }
  }
  return out;
}

std::string render_elle_index(const std::vector<ElleDrawing>& drawings) {
  viz::XmlWriter w;
  w.raw("<!DOCTYPE html>\n");
  w.open("html", {{"lang", "en"}});
  w.open("head");
  w.leaf("meta", {{"charset", "utf-8"}});
  w.element("title", {}, "Anomaly graphs");
  w.raw(
      "<style>body { font-family: sans-serif; font-size: 14px; margin: 20px; } img { max-width: 100%;"
      " border: 1px solid #ddd; margin: 6px 0 18px; }</style>");
  w.close("head");
  w.open("body");
  w.element("h1", {}, "Anomaly graphs");
  w.element("p", {},
            "One drawing per cycle example the txn checker kept: the transactions of the cycle and the "
            "dependencies between them (ww, wr, rw, process, realtime).");
  std::string last;
  for (const ElleDrawing& d : drawings) {
    if (d.cycle.anomaly != last) {
      w.element("h2", {}, d.cycle.anomaly);
      last = d.cycle.anomaly;
    }
    w.open("p");
    w.element("a", {{"href", d.file}}, d.file);
    w.close("p");
    w.leaf("img", {{"src", d.file}, {"alt", d.cycle.anomaly + " cycle"}});
  }
  w.close("body");
  w.close("html");
  return w.finish() + "\n";
}

Result<std::vector<std::string>> write_elle_graphs(const std::string& dir, const Value& txn_result) {
  std::vector<ElleDrawing> drawings = elle_drawings(txn_result);
  std::vector<std::string> files;
  if (drawings.empty()) return files;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return err("cannot create " + dir + ": " + ec.message());
  for (const ElleDrawing& d : drawings) {
    if (auto s = write_file_atomic(dir + "/" + d.file, viz::render_txn_cycle(d.cycle)); !s.ok()) return err(s.error());
    files.push_back(d.file);
  }
  if (auto s = write_file_atomic(dir + "/index.html", render_elle_index(drawings)); !s.ok()) return err(s.error());
  files.push_back("index.html");
  return files;
}

Status add_elle_graphs(const std::string& run_dir, Value* workload_result) {
  auto files = write_elle_graphs(run_dir + "/elle", *workload_result);
  if (!files.ok()) return err("anomaly graphs: " + files.error());
  if (files->empty()) return {};
  Value paths = Value::vector();
  for (const auto& f : *files) paths.push(Value("elle/" + f));
  workload_result->set("elle-graphs", paths);
  const Value* old = workload_result->get("report-lines");
  Value lines = old && old->is_sequential() ? *old : Value::vector();
  lines.push(Value(fmt::format("anomaly graphs: {} drawing{} in {}/elle/ (index.html)", files->size() - 1,
                               files->size() == 2 ? "" : "s", run_dir)));
  workload_result->set("report-lines", lines);
  return {};
}

}  // namespace squall::harness
