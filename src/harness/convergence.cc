#include "harness/convergence.h"

#include <algorithm>
#include <climits>
#include <map>

namespace squall::harness {

RoundsSummary measure_rounds(const workload::History& history, const std::string& add_f,
                             const std::vector<std::string>& nodes, const std::vector<bool>& alive,
                             const net::Journal& journal) {
  RoundsSummary out;
  if (journal.truncated()) {
    out.why_not = "the network journal was truncated";
    return out;
  }
  const auto n = static_cast<uint32_t>(nodes.size());
  std::map<std::string, uint32_t> node_index;
  for (uint32_t i = 0; i < n; ++i) node_index[nodes[i]] = i;
  // Origins: (invocation time, node) of every acknowledged add.
  auto pairs = workload::pair_completions(history);
  std::vector<std::pair<int64_t, uint32_t>> origins;
  for (size_t i = 0; i < history.size(); ++i) {
    if (pairs[i] < 0 || history[i].f != add_f) continue;
    if (history[static_cast<size_t>(pairs[i])].type != history::OpType::kOk) continue;
    auto it = node_index.find(history[i].node);
    if (it != node_index.end()) origins.emplace_back(history[i].time_ns, it->second);
  }
  if (origins.empty()) {
    out.why_not = "no acknowledged elements";
    return out;
  }
  uint32_t live = 0;
  for (uint32_t i = 0; i < n; ++i) live += alive[i] ? 1 : 0;
  const auto& entries = journal.entries();
  std::map<int64_t, int64_t> unused;
  (void)unused;
  // Send time of every message id (ids are dense from 1).
  int64_t max_id = 0;
  for (const auto& e : entries) max_id = std::max(max_id, e.msg_id);
  std::vector<int64_t> sent_at(static_cast<size_t>(max_id) + 1, -1);
  for (const auto& e : entries)
    if (e.event == net::JournalEvent::kSend) sent_at[static_cast<size_t>(e.msg_id)] = e.t_ns;

  std::vector<int> rounds;
  size_t step = std::max<size_t>(1, origins.size() / kRoundSamples);
  std::vector<int64_t> informed_at(n);
  std::vector<int> hops(n);
  for (size_t k = 0; k < origins.size(); k += step) {
    auto [t0, origin] = origins[k];
    if (!alive[origin]) continue;
    std::fill(informed_at.begin(), informed_at.end(), INT64_MAX);
    std::fill(hops.begin(), hops.end(), 0);
    informed_at[origin] = t0;
    uint32_t informed = 1;
    int depth = 0;
    auto it = std::lower_bound(entries.begin(), entries.end(), t0,
                               [](const net::JournalEntry& e, int64_t t) { return e.t_ns < t; });
    for (; it != entries.end() && informed < live; ++it) {
      if (it->event != net::JournalEvent::kRecv || it->src >= n || it->dest >= n) continue;
      if (informed_at[it->dest] != INT64_MAX || !alive[it->dest]) continue;
      int64_t sent = sent_at[static_cast<size_t>(it->msg_id)];
      if (informed_at[it->src] == INT64_MAX || sent < informed_at[it->src]) continue;
      informed_at[it->dest] = it->t_ns;
      hops[it->dest] = hops[it->src] + 1;
      depth = std::max(depth, hops[it->dest]);
      ++informed;
    }
    if (informed < live) {
      ++out.unconverged;
      continue;
    }
    rounds.push_back(depth);
  }
  if (rounds.empty()) {
    out.why_not = "no sampled element reached every node through the journal";
    out.elements = 0;
    return out;
  }
  std::sort(rounds.begin(), rounds.end());
  out.measured = true;
  out.elements = static_cast<int64_t>(rounds.size());
  out.max_rounds = rounds.back();
  out.median_rounds = rounds[rounds.size() / 2];
  return out;
}

}  // namespace squall::harness
