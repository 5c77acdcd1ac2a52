#include "cluster/lock_holds.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <numeric>

namespace squall::cluster {

namespace {
bool parse_hold(const std::string& json, std::string* key, int64_t* rev) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("key") || !d["key"].IsString()) return false;
  *key = d["key"].GetString();
  *rev = d.HasMember("rev") && d["rev"].IsInt64() ? d["rev"].GetInt64() : 0;
  return true;
}
double seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }
}  // namespace

std::vector<Hold> lock_holds(const workload::History& h) {
  std::vector<Hold> holds;
  std::map<std::string, size_t> open;  // lock key -> hold
  int64_t end_ns = h.empty() ? 0 : h.back().time_ns;
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.process == workload::kNemesisProcess) continue;
    std::string key;
    int64_t rev = 0;
    if (op.f == "acquire" && op.type == workload::OpType::kOk && parse_hold(op.value, &key, &rev)) {
      Hold hold;
      hold.process = op.process;
      hold.node = op.node;
      hold.key = key;
      hold.rev = rev;
      hold.start_ns = op.time_ns;
      hold.end_ns = end_ns;
      hold.acquired_at = i;
      open[key] = holds.size();
      holds.push_back(std::move(hold));
    } else if (op.f == "release" && op.type == workload::OpType::kInvoke && parse_hold(op.value, &key, &rev)) {
      auto it = open.find(key);
      if (it == open.end()) continue;
      holds[it->second].end_ns = op.time_ns;
      holds[it->second].released = true;
      holds[it->second].released_at = static_cast<int64_t>(i);
      open.erase(it);
    }
  }
  return holds;
}

std::vector<std::pair<size_t, size_t>> overlapping_holds(const std::vector<Hold>& holds) {
  std::vector<size_t> order(holds.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return holds[a].start_ns < holds[b].start_ns; });
  std::vector<std::pair<size_t, size_t>> out;
  bool any = false;
  size_t longest = 0;  // the hold seen so far that ends last
  for (size_t i : order) {
    if (any && holds[i].start_ns < holds[longest].end_ns) out.emplace_back(longest, i);
    if (!any || holds[i].end_ns > holds[longest].end_ns) longest = i;
    any = true;
  }
  return out;
}

history::Value hold_value(const Hold& hold) {
  history::Value v = history::Value::array_map();
  v.set("process", history::Value(hold.process));
  v.set("node", history::Value(hold.node));
  v.set("key", history::Value(hold.key));
  v.set("rev", history::Value(hold.rev));
  v.set("from-s", history::Value(seconds(hold.start_ns)));
  v.set("to-s", history::Value(seconds(hold.end_ns)));
  v.set("released?", history::Value(hold.released));
  return v;
}

std::string describe_hold(const Hold& hold) {
  return fmt::format("p{} on {} held {} (create revision {}) from {:.3f} s to {:.3f} s{}", hold.process, hold.node,
                     hold.key, hold.rev, seconds(hold.start_ns), seconds(hold.end_ns),
                     hold.released ? "" : " (never released)");
}

}  // namespace squall::cluster
