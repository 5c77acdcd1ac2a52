#include "checker/set_full.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <map>

#include "checker/result_map.h"
#include "history/value_json.h"

namespace squall::checker {

using history::Value;

namespace {

constexpr size_t kExampleLimit = 8;
constexpr size_t kListLimit = 64;

struct Element {
  std::string key;  // compact JSON text
  int64_t known_ns = INT64_MAX;
  bool acknowledged = false;
  bool seen = false;
  int64_t last_present_ns = -1;
  int64_t last_absent_ns = -1;
  std::vector<std::string> final_missing_nodes;
};

struct Read {
  int64_t invoke_ns;
  const SetRead* read;
  std::vector<int> present;  // element indices
};

// Orders element keys numerically for integers, then textually.
bool key_less(const std::string& a, const std::string& b) {
  bool an = !a.empty() && (std::isdigit(static_cast<unsigned char>(a[0])) || a[0] == '-');
  bool bn = !b.empty() && (std::isdigit(static_cast<unsigned char>(b[0])) || b[0] == '-');
  if (an && bn) {
    bool aneg = a[0] == '-', bneg = b[0] == '-';
    if (aneg != bneg) return aneg;
    if (a.size() != b.size()) return aneg ? a.size() > b.size() : a.size() < b.size();
    return aneg ? a > b : a < b;
  }
  if (an != bn) return an;
  return a < b;
}

Value key_vector(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end(), key_less);
  Value v = Value::vector();
  for (size_t i = 0; i < keys.size() && i < kListLimit; ++i) v.push(history::parse_json_value(keys[i]));
  return v;
}

int64_t quantile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto idx = static_cast<size_t>(q * static_cast<double>(sorted.size()));
  return sorted[std::min(idx, sorted.size() - 1)];
}

}  // namespace

Value check_set_full(const SetFullHistory& history) {
  std::vector<Element> elements;
  std::map<std::string, int> index;
  auto element_of = [&](const std::string& key) -> int {
    auto [it, inserted] = index.emplace(key, static_cast<int>(elements.size()));
    if (inserted) elements.push_back(Element{key});
    return it->second;
  };

  auto attempts = static_cast<int64_t>(history.adds.size());
  for (const SetAdd& add : history.adds) {
    Element& el = elements[static_cast<size_t>(element_of(add.element))];
    if (add.acknowledged) {
      el.acknowledged = true;
      el.known_ns = std::min(el.known_ns, add.complete_ns);
    }
  }
  // Reads come second so that every added element has an index already; elements a
  // read invents are collected as unexpected.
  std::vector<Read> reads;
  std::map<std::string, int> unexpected;
  for (const SetRead& read : history.reads) {
    Read r{read.invoke_ns, &read, {}};
    for (const std::string& key : read.elements) {
      auto it = index.find(key);
      if (it == index.end()) {
        ++unexpected[key];
        continue;
      }
      r.present.push_back(it->second);
      Element& el = elements[static_cast<size_t>(it->second)];
      el.seen = true;
      el.known_ns = std::min(el.known_ns, read.complete_ns);
    }
    reads.push_back(std::move(r));
  }

  std::vector<uint8_t> present(elements.size(), 0);
  for (const Read& r : reads) {
    for (int e : r.present) present[static_cast<size_t>(e)] = 1;
    for (size_t e = 0; e < elements.size(); ++e) {
      Element& el = elements[e];
      if (present[e]) {
        el.last_present_ns = std::max(el.last_present_ns, r.invoke_ns);
      } else if (el.known_ns < r.invoke_ns) {
        el.last_absent_ns = std::max(el.last_absent_ns, r.invoke_ns);
        if (r.read->final) el.final_missing_nodes.push_back(r.read->node);
      }
    }
    for (int e : r.present) present[static_cast<size_t>(e)] = 0;
  }

  std::vector<std::string> lost, never_read, stale;
  std::vector<int64_t> latencies;
  std::vector<std::pair<int64_t, const Element*>> stale_by_latency;
  Value lost_examples = Value::vector();
  int64_t acknowledged_never_read = 0, acknowledged = 0;
  for (const Element& el : elements) {
    if (el.acknowledged) ++acknowledged;
    bool spoken_of = el.last_present_ns >= 0 || el.last_absent_ns >= 0;
    if (!spoken_of) {
      never_read.push_back(el.key);
      if (el.acknowledged) ++acknowledged_never_read;
      continue;
    }
    if (!el.final_missing_nodes.empty() || el.last_absent_ns > el.last_present_ns) {
      lost.push_back(el.key);
      if (lost_examples.items().size() < kExampleLimit) {
        Value ex = Value::array_map();
        ex.set("element", history::parse_json_value(el.key));
        ex.set("known-time-ms", el.known_ns / 1'000'000);
        ex.set("last-absent-time-ms", el.last_absent_ns / 1'000'000);
        ex.set("last-present-time-ms", el.last_present_ns < 0 ? Value() : Value(el.last_present_ns / 1'000'000));
        Value nodes = Value::vector();
        for (size_t k = 0; k < el.final_missing_nodes.size() && k < 8; ++k) nodes.push(el.final_missing_nodes[k]);
        ex.set("missing-from-final-reads", std::move(nodes));
        lost_examples.push(std::move(ex));
      }
      continue;
    }
    int64_t latency_ns = el.last_absent_ns > el.known_ns ? el.last_absent_ns - el.known_ns : 0;
    latencies.push_back(latency_ns / 1'000'000);
    if (latency_ns > 0) {
      stale.push_back(el.key);
      stale_by_latency.emplace_back(latency_ns, &el);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  std::sort(stale_by_latency.begin(), stale_by_latency.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : key_less(a.second->key, b.second->key);
  });
  Value worst = Value::vector();
  for (size_t k = 0; k < stale_by_latency.size() && k < kExampleLimit; ++k) {
    const Element& el = *stale_by_latency[k].second;
    Value w = Value::array_map();
    w.set("element", history::parse_json_value(el.key));
    w.set("outcome", Value::keyword("stable"));
    w.set("stable-latency", stale_by_latency[k].first / 1'000'000);
    w.set("known-time-ms", el.known_ns / 1'000'000);
    worst.push(std::move(w));
  }
  Value quantiles = Value::array_map();
  for (double q : {0.0, 0.5, 0.95, 0.99, 1.0}) {
    Value key = q == 0.0 ? Value(0) : q == 1.0 ? Value(1) : Value(q);
    quantiles.set(key, quantile(latencies, q));
  }
  std::vector<std::string> unexpected_keys;
  for (const auto& [k, n] : unexpected) unexpected_keys.push_back(k);

  // No attempt at all (--rate 0) is an empty history: valid, as in Maelstrom.
  Value r = Value::array_map();
  if (!lost.empty() || !unexpected.empty()) {
    r.set("valid?", verdict_value(Verdict::kInvalid));
  } else if (acknowledged_never_read > 0) {
    set_unknown(&r, fmt::format("{} acknowledged elements were never read by anyone, so whether they were lost is "
                                "unknown (did the final reads fail?)",
                                acknowledged_never_read));
  } else {
    r.set("valid?", verdict_value(Verdict::kValid));
  }
  r.set("attempt-count", attempts);
  r.set("acknowledged-count", acknowledged);
  r.set("stable-count", static_cast<int64_t>(latencies.size()));
  r.set("lost-count", static_cast<int64_t>(lost.size()));
  r.set("lost", key_vector(lost));
  r.set("never-read-count", static_cast<int64_t>(never_read.size()));
  r.set("never-read", key_vector(never_read));
  r.set("stale-count", static_cast<int64_t>(stale.size()));
  r.set("stale", key_vector(stale));
  r.set("worst-stale", std::move(worst));
  r.set("stable-latencies", std::move(quantiles));
  r.set("unexpected-count", static_cast<int64_t>(unexpected.size()));
  r.set("unexpected", key_vector(unexpected_keys));
  r.set("acknowledged-never-read-count", acknowledged_never_read);
  r.set("lost-examples", std::move(lost_examples));
  return r;
}

}  // namespace squall::checker
