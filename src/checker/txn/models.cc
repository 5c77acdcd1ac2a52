#include "checker/txn/models.h"

#include <map>

namespace squall::checker::txn {

namespace {

struct Model {
  std::string name;
  std::vector<std::string> weaker;  // models this one implies
  std::vector<std::string> proscribed;
};

// Anomalies that break the data model: no isolation level admits them.
const std::vector<std::string> kBroken = {"internal",        "duplicate-elements", "incompatible-order",
                                          "cyclic-versions", "future-read",        "garbage-read"};

const std::vector<Model>& models() {
  static const std::vector<Model> m = [] {
    std::vector<Model> v = {
        {"read-uncommitted", {}, {"G0"}},
        {"read-committed", {"read-uncommitted"}, {"G1", "dirty-update"}},
        {"repeatable-read", {"read-committed"}, {"G2-item", "lost-update"}},
        {"snapshot-isolation", {"read-committed"}, {"G-nonadjacent", "lost-update"}},
        {"serializable", {"repeatable-read", "snapshot-isolation"}, {"G2"}},
        {"strong-session-read-uncommitted", {"read-uncommitted"}, {"G0-process"}},
        {"strong-session-read-committed", {"read-committed", "strong-session-read-uncommitted"}, {"G1c-process"}},
        {"strong-session-snapshot-isolation",
         {"snapshot-isolation", "strong-session-read-committed"},
         {"G-nonadjacent-process"}},
        {"strong-session-serializable", {"serializable", "strong-session-snapshot-isolation"}, {"G2-process"}},
        {"strong-read-uncommitted", {"strong-session-read-uncommitted"}, {"G0-realtime"}},
        {"strong-read-committed", {"strong-session-read-committed", "strong-read-uncommitted"}, {"G1c-realtime"}},
        {"strong-snapshot-isolation",
         {"strong-session-snapshot-isolation", "strong-read-committed"},
         {"G-nonadjacent-realtime"}},
        {"strict-serializable", {"strong-session-serializable", "strong-snapshot-isolation"}, {"G2-realtime"}},
    };
    for (const auto& b : kBroken) v[0].proscribed.push_back(b);
    return v;
  }();
  return m;
}

const Model* find_model(std::string_view name) {
  for (const auto& m : models())
    if (m.name == name) return &m;
  return nullptr;
}

// Direct implications between anomalies: having the key means having each value.
const std::map<std::string, std::vector<std::string>>& implications() {
  static const std::map<std::string, std::vector<std::string>> m = [] {
    std::map<std::string, std::vector<std::string>> v;
    v["G1a"] = {"G1"};
    v["G1b"] = {"G1"};
    const char* suffixes[] = {"", "-process", "-realtime"};
    for (int i = 0; i < 3; ++i) {
      std::string s = suffixes[i];
      auto chain = [&](const std::string& a, const std::string& b) { v[a + s].push_back(b + s); };
      chain("G0", "G1c");
      chain("G-single", "G-nonadjacent");
      chain("G-nonadjacent", "G2-item");
      chain("G2-item", "G2");
      if (i == 0) v["G1c"].push_back("G1");
      if (i < 2)
        for (const char* c : {"G0", "G1c", "G-single", "G-nonadjacent", "G2-item", "G2"})
          v[std::string(c) + s].push_back(std::string(c) + suffixes[i + 1]);
    }
    return v;
  }();
  return m;
}

// Everything `model` proscribes, through the models it implies.
void collect_proscribed(const Model& m, std::set<std::string>& out) {
  for (const auto& a : m.proscribed) out.insert(a);
  for (const auto& w : m.weaker) collect_proscribed(*find_model(w), out);
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& m : models()) v.push_back(m.name);
    return v;
  }();
  return names;
}

std::optional<std::string> canonical_model(std::string_view name) {
  if (!name.empty() && name[0] == ':') name.remove_prefix(1);
  if (name == "strong-serializable") return std::string("strict-serializable");
  if (find_model(name)) return std::string(name);
  return std::nullopt;
}

const std::vector<std::string>& anomaly_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {"G1a", "G1b", "dirty-update", "lost-update"};
    for (const auto& b : kBroken) v.push_back(b);
    for (const char* c : {"G0", "G1c", "G-single", "G-nonadjacent", "G2-item", "G2"})
      for (const char* s : {"", "-process", "-realtime"}) v.push_back(std::string(c) + s);
    return v;
  }();
  return names;
}

std::set<std::string> implied_anomalies(const std::set<std::string>& found) {
  std::set<std::string> out;
  std::vector<std::string> todo(found.begin(), found.end());
  while (!todo.empty()) {
    std::string a = std::move(todo.back());
    todo.pop_back();
    if (!out.insert(a).second) continue;
    auto it = implications().find(a);
    if (it != implications().end())
      for (const auto& b : it->second) todo.push_back(b);
  }
  return out;
}

bool proscribes(const std::string& model, const std::string& anomaly) {
  const Model* m = find_model(model);
  if (!m) return false;
  std::set<std::string> p;
  collect_proscribed(*m, p);
  for (const auto& a : implied_anomalies({anomaly}))
    if (p.count(a)) return true;
  return false;
}

RuledOut ruled_out(const std::set<std::string>& found) {
  std::set<std::string> all = implied_anomalies(found);
  std::set<std::string> out;
  for (const auto& m : models()) {
    std::set<std::string> p;
    collect_proscribed(m, p);
    for (const auto& a : p)
      if (all.count(a)) {
        out.insert(m.name);
        break;
      }
  }
  RuledOut r;
  for (const auto& name : out) {
    bool weaker_out = false;
    std::set<std::string> weaker;
    std::vector<std::string> todo = find_model(name)->weaker;
    while (!todo.empty()) {
      std::string w = todo.back();
      todo.pop_back();
      if (out.count(w)) weaker_out = true;
      for (const auto& x : find_model(w)->weaker) todo.push_back(x);
    }
    (weaker_out ? r.also_not : r.not_).insert(name);
  }
  return r;
}

}  // namespace squall::checker::txn
