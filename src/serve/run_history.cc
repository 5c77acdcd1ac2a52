#include "serve/run_history.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <unordered_map>

#include "history/edn.h"

namespace squall::serve {
namespace {

std::string name_of(const history::Value* v) {
  if (v == nullptr) return "";
  if (v->is_keyword() || v->is_string()) return v->as_string();
  return history::to_edn(*v);
}

// The nemesis's ops: a start opens a window (once), a stop closes the open one.
void add_fault(const HistoryOp& op, std::vector<viz::Window>* faults, std::vector<bool>* open) {
  bool is_open = !open->empty() && open->back();
  if (op.f.starts_with("start")) {
    std::string what = op.f.substr(std::min<size_t>(op.f.size(), 6));
    if (!is_open) {
      faults->push_back(viz::Window{op.time_ns, INT64_MAX, what.empty() ? "fault" : what});
      open->push_back(true);
    }
    if (op.value != "nil" && op.value != ":" + what) faults->back().label = what + " " + op.value;
  } else if (op.f.starts_with("stop") && is_open) {
    faults->back().end_ns = op.time_ns;
    open->back() = false;
  }
}

// The text after "<key> " up to the next ',' or '}' at the top level of a one-line map
// (numbers and keywords: what :index, :time, :type and :process hold).
std::optional<std::string_view> token_after(std::string_view map, std::string_view key) {
  size_t at = map.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  at += key.size();
  while (at < map.size() && map[at] == ' ') ++at;
  size_t end = map.find_first_of(",}", at);
  if (end == std::string_view::npos) return std::nullopt;
  return map.substr(at, end - at);
}

std::optional<int64_t> int_after(std::string_view map, std::string_view key) {
  auto t = token_after(map, key);
  if (!t) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
  if (ec != std::errc() || p != t->data() + t->size()) return std::nullopt;
  return v;
}

// The text of the :value entry: up to the next known key, or the end of the map.
std::string_view value_text(std::string_view map) {
  size_t at = map.find(":value ");
  if (at == std::string_view::npos) return "nil";
  at += 7;
  size_t end = map.size() - 1;  // the closing '}'
  for (std::string_view next : {", :process ", ", :time ", ", :index ", ", :error ", ", :type ", ", :f "}) {
    size_t e = map.find(next, at);
    if (e != std::string_view::npos) end = std::min(end, e);
  }
  return map.substr(at, end - at);
}

// A client completion read by its fields alone; nullopt when the line does not look
// like one (it is then parsed in full). Its value is kept as the map's text, which is
// all invocation_with_value() looks at in a completion.
std::optional<HistoryOp> scan_completion(std::string_view map, int64_t line_index,
                                         std::unordered_map<std::string, int64_t>* pending) {
  auto type = token_after(map, ":type ");
  auto process = token_after(map, ":process ");
  auto time = int_after(map, ":time ");
  if (!type || !process || !time || process->empty() || !std::isdigit(static_cast<unsigned char>(process->front())))
    return std::nullopt;
  HistoryOp op;
  op.index = int_after(map, ":index ").value_or(line_index);
  op.time_ns = *time;
  op.type = std::string(type->substr(type->starts_with(':') ? 1 : 0));
  op.value = std::string(value_text(map));
  auto it = pending->find(std::string(*process));
  op.invocation = it == pending->end() ? op.index : it->second;
  if (it != pending->end()) pending->erase(it);
  return op;
}

}  // namespace

RunHistory RunHistory::read(const std::string& path) {
  RunHistory h;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::vector<bool> open;
  std::unordered_map<std::string, int64_t> pending;  // process -> its open invocation
  size_t n = 0;
  while (std::getline(in, line)) {
    if (++n > kMaxHistoryLines) {
      h.cut_ = true;
      break;
    }
    if (line.find_first_not_of(" \t\r[]") == std::string::npos) continue;  // "[" / "]" of a vector file
    size_t a = line.find('{'), b = line.rfind('}');
    if (a == std::string::npos || b == std::string::npos || b < a) {
      ++h.skipped_;
      continue;
    }
    std::string_view map_text = std::string_view(line).substr(a, b - a + 1);
    // Completions are most of a history and the bulkiest lines (a broadcast read's list):
    // only a few fields are read from them, without parsing the whole map.
    if (map_text.find(":invoke") == std::string_view::npos && map_text.find(":nemesis") == std::string_view::npos) {
      if (auto op = scan_completion(map_text, static_cast<int64_t>(n - 1), &pending)) {
        h.end_ns_ = std::max(h.end_ns_, op->time_ns);
        h.ops_.push_back(std::move(*op));
        continue;
      }
    }
    auto v = history::parse_edn(map_text, path, static_cast<int>(n));
    if (!v.ok() || !v->is_map()) {
      ++h.skipped_;
      continue;
    }
    HistoryOp op;
    const history::Value* index = v->get("index");
    const history::Value* time = v->get("time");
    op.index = index && index->is_int() ? index->as_int() : static_cast<int64_t>(n - 1);
    op.time_ns = time && time->is_int() ? time->as_int() : 0;
    op.type = name_of(v->get("type"));
    op.f = name_of(v->get("f"));
    const history::Value* value = v->get("value");
    op.value = value ? history::to_edn(*value) : "nil";
    const history::Value* process = v->get("process");
    op.client = process && process->is_int();
    std::string p = process ? history::to_edn(*process) : "";
    if (op.type == "invoke") {
      op.invocation = op.index;
      pending[p] = op.index;
    } else {
      auto it = pending.find(p);
      op.invocation = it == pending.end() ? op.index : it->second;
      if (it != pending.end()) pending.erase(it);
    }
    h.end_ns_ = std::max(h.end_ns_, op.time_ns);
    if (!op.client) add_fault(op, &h.faults_, &open);
    h.ops_.push_back(std::move(op));
  }
  for (viz::Window& w : h.faults_)
    if (w.end_ns == INT64_MAX) w.end_ns = h.end_ns_;
  return h;
}

const HistoryOp* RunHistory::invocation_with_value(const std::string& value_edn) const {
  for (const HistoryOp& op : ops_)
    if (op.client && op.type == "invoke" && op.value == value_edn) return &op;
  // A value that only ever appears inside a collection (a read's list, a txn).
  for (const HistoryOp& op : ops_) {
    if (!op.client || op.type == "invoke") continue;
    size_t at = op.value.find(value_edn);
    while (at != std::string::npos) {
      auto boundary = [](char c) { return c == ' ' || c == '[' || c == ']' || c == '(' || c == ')' || c == ','; };
      bool before = at == 0 || boundary(op.value[at - 1]);
      size_t end = at + value_edn.size();
      bool after = end == op.value.size() || boundary(op.value[end]);
      if (before && after) return &op;
      at = op.value.find(value_edn, at + 1);
    }
  }
  return nullptr;
}

const HistoryOp* RunHistory::op_at_index(int64_t index) const {
  for (const HistoryOp& op : ops_)
    if (op.index == index) return &op;
  return nullptr;
}

const HistoryOp* RunHistory::invocation_at(int64_t t_ns) const {
  for (const HistoryOp& op : ops_)
    if (op.client && op.type == "invoke" && op.time_ns >= t_ns) return &op;
  return nullptr;
}

}  // namespace squall::serve
