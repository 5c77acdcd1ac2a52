#include "checker/txn/graph.h"

#include <algorithm>
#include <limits>

#include "core/assert.h"

namespace squall::checker::txn {

namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
constexpr uint8_t kData =
    static_cast<uint8_t>(EdgeKind::kWW) | static_cast<uint8_t>(EdgeKind::kWR) | static_cast<uint8_t>(EdgeKind::kRW);

uint8_t bit(EdgeKind k) { return static_cast<uint8_t>(k); }

}  // namespace

const char* to_string(EdgeKind k) {
  switch (k) {
    case EdgeKind::kWW: return "ww";
    case EdgeKind::kWR: return "wr";
    case EdgeKind::kRW: return "rw";
    case EdgeKind::kProcess: return "process";
    case EdgeKind::kRealtime: return "realtime";
  }
  return "?";
}

std::string classify(const Cycle& c) {
  size_t n = c.edges.size(), rw = 0;
  bool wr = false, process = false, realtime = false, adjacent = false;
  for (size_t i = 0; i < n; ++i) {
    EdgeKind k = c.edges[i].kind;
    if (k == EdgeKind::kRW) {
      ++rw;
      if (c.edges[(i + 1) % n].kind == EdgeKind::kRW && n > 1) adjacent = true;
    }
    wr |= k == EdgeKind::kWR;
    process |= k == EdgeKind::kProcess;
    realtime |= k == EdgeKind::kRealtime;
  }
  std::string base = rw == 0 ? (wr ? "G1c" : "G0") : rw == 1 ? "G-single" : adjacent ? "G2-item" : "G-nonadjacent";
  return base + (realtime ? "-realtime" : process ? "-process" : "");
}

void DepGraph::freeze() {
  std::sort(pending_.begin(), pending_.end(), [](const Edge& a, const Edge& b) {
    if (a.from != b.from) return a.from < b.from;
    if (a.to != b.to) return a.to < b.to;
    return a.kind < b.kind;
  });
  pending_.erase(
      std::unique(pending_.begin(), pending_.end(),
                  [](const Edge& a, const Edge& b) { return a.from == b.from && a.to == b.to && a.kind == b.kind; }),
      pending_.end());
  offsets_.assign(nodes_ + 1, 0);
  targets_.clear();
  targets_.reserve(pending_.size());
  for (const Edge& e : pending_) {
    ++offsets_[e.from + 1];
    targets_.push_back({e.to, bit(e.kind)});
  }
  for (uint32_t i = 0; i < nodes_; ++i) offsets_[i + 1] += offsets_[i];
  std::vector<Edge>().swap(pending_);
}

std::vector<std::vector<uint32_t>> DepGraph::components(const std::vector<uint32_t>& nodes, uint8_t mask,
                                                        const std::vector<uint32_t>* comp_of, uint32_t comp) const {
  // Iterative Tarjan; scratch arrays sized to the graph, reset only where touched.
  static thread_local std::vector<uint32_t> index, low;
  static thread_local std::vector<uint8_t> on_stack;
  if (index.size() < nodes_) {
    index.assign(nodes_, kNone);
    low.assign(nodes_, 0);
    on_stack.assign(nodes_, 0);
  }
  auto inside = [&](uint32_t v) { return comp_of == nullptr || (*comp_of)[v] == comp; };
  std::vector<std::vector<uint32_t>> out;
  std::vector<uint32_t> stack;
  struct Frame {
    uint32_t v, next;
  };
  std::vector<Frame> frames;
  uint32_t counter = 0;
  for (uint32_t root : nodes) {
    if (index[root] != kNone) continue;
    frames.push_back({root, offsets_[root]});
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!frames.empty()) {
      Frame& f = frames.back();
      uint32_t v = f.v;
      if (f.next < offsets_[v + 1]) {
        const Target& t = targets_[f.next++];
        if (!(t.kind & mask) || !inside(t.to)) continue;
        if (index[t.to] == kNone) {
          index[t.to] = low[t.to] = counter++;
          stack.push_back(t.to);
          on_stack[t.to] = 1;
          frames.push_back({t.to, offsets_[t.to]});
        } else if (on_stack[t.to]) {
          low[v] = std::min(low[v], index[t.to]);
        }
        continue;
      }
      frames.pop_back();
      if (!frames.empty()) low[frames.back().v] = std::min(low[frames.back().v], low[v]);
      if (low[v] == index[v]) {
        std::vector<uint32_t> c;
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          c.push_back(w);
        } while (w != v);
        if (c.size() > 1) out.push_back(std::move(c));
      }
    }
  }
  for (uint32_t v : nodes) index[v] = kNone;
  return out;
}

std::vector<Edge> DepGraph::path(uint32_t from, uint32_t to, uint8_t mask, bool nonadjacent,
                                 const std::vector<uint32_t>& comp_of, uint32_t comp, int64_t& budget,
                                 bool& out_of_budget) const {
  // States are (node, whether the edge that reached it was rw); without `nonadjacent`
  // only the second half is used.
  const size_t states = static_cast<size_t>(nodes_) * 2;
  if (mark_.size() < states) {
    mark_.assign(states, 0);
    parent_.assign(states, 0);
    parent_kind_.assign(states, 0);
  }
  if (++stamp_ == 0) {
    std::fill(mark_.begin(), mark_.end(), 0);
    stamp_ = 1;
  }
  auto id = [](uint32_t v, bool rw) { return static_cast<size_t>(v) * 2 + (rw ? 1 : 0); };
  size_t start = id(from, nonadjacent);
  mark_[start] = stamp_;
  std::vector<size_t> queue{start};
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    size_t s = queue[qi];
    uint32_t v = static_cast<uint32_t>(s / 2);
    bool came_rw = s % 2 == 1;
    if (v == to && s != start && !(nonadjacent && came_rw)) {
      std::vector<Edge> edges;
      for (size_t at = s; at != start; at = parent_[at])
        edges.push_back({static_cast<uint32_t>(parent_[at] / 2), static_cast<uint32_t>(at / 2),
                         static_cast<EdgeKind>(parent_kind_[at])});
      std::reverse(edges.begin(), edges.end());
      return edges;
    }
    if (v == to && from != to) continue;  // do not walk through the target
    for (uint32_t i = offsets_[v]; i < offsets_[v + 1]; ++i) {
      if (budget > 0 && --budget == 0) {
        out_of_budget = true;
        return {};
      }
      const Target& t = targets_[i];
      if (!(t.kind & mask) || comp_of[t.to] != comp) continue;
      bool rw = t.kind == bit(EdgeKind::kRW);
      if (nonadjacent && rw && came_rw) continue;
      size_t next = id(t.to, nonadjacent && rw);
      if (mark_[next] == stamp_) continue;
      mark_[next] = stamp_;
      parent_[next] = s;
      parent_kind_[next] = t.kind;
      queue.push_back(next);
    }
  }
  return {};
}

std::vector<std::vector<uint32_t>> DepGraph::strongly_connected(uint8_t mask) const {
  std::vector<uint32_t> all(nodes_);
  for (uint32_t i = 0; i < nodes_; ++i) all[i] = i;
  return components(all, mask, nullptr, 0);
}

DepGraph::SearchResult DepGraph::find_cycles(int64_t step_budget) const {
  SQ_ASSERT_MSG(pending_.empty(), "DepGraph::find_cycles before freeze()");
  SearchResult r;
  int64_t budget = step_budget > 0 ? step_budget : std::numeric_limits<int64_t>::max();
  const int64_t budget_start = budget;
  std::vector<uint32_t> all(nodes_);
  for (uint32_t i = 0; i < nodes_; ++i) all[i] = i;
  auto comps = components(all, 0xff, nullptr, 0);
  r.components = static_cast<int64_t>(comps.size());
  std::vector<uint32_t> comp_of(nodes_, kNone);
  bool out_of_budget = false;
  for (uint32_t c = 0; c < comps.size(); ++c) {
    if (out_of_budget) {
      ++r.unfinished;
      continue;
    }
    for (uint32_t v : comps[c]) comp_of[v] = c;
    std::vector<std::string> found;  // classes found in this component
    auto have = [&](const std::string& cls) { return std::find(found.begin(), found.end(), cls) != found.end(); };
    auto have_base = [&](const std::string& base) {
      for (const auto& f : found)
        if (f == base || f.rfind(base + "-", 0) == 0) {
          // "G-single" must not match "G-single-..." of another base; bases never prefix
          // each other except through the suffixes checked here.
          std::string rest = f.substr(base.size());
          if (rest.empty() || rest == "-process" || rest == "-realtime") return true;
        }
      return false;
    };
    auto record = [&](std::vector<Edge> edges) {
      Cycle cy{std::move(edges)};
      std::string cls = classify(cy);
      // A cycle of a class already found with fewer kinds of edges adds nothing: its
      // -process or -realtime form is implied.
      std::string base = cls.substr(0, cls.find("-process") != std::string::npos    ? cls.find("-process")
                                       : cls.find("-realtime") != std::string::npos ? cls.find("-realtime")
                                                                                    : cls.size());
      if (have(cls) || have_base(base)) return;
      found.push_back(cls);
      r.cycles.push_back(std::move(cy));
    };
    // Any cycle through edges in mask, if the component has one.
    auto any_cycle = [&](uint8_t mask) {
      auto sub = components(comps[c], mask, &comp_of, c);
      if (sub.empty()) return;
      uint32_t s = sub[0][0];
      for (uint32_t i = offsets_[s]; i < offsets_[s + 1] && !out_of_budget; ++i) {
        const Target& t = targets_[i];
        if (!(t.kind & mask) || comp_of[t.to] != c) continue;
        auto back = path(t.to, s, mask, false, comp_of, c, budget, out_of_budget);
        if (back.empty()) continue;
        back.insert(back.begin(), Edge{s, t.to, static_cast<EdgeKind>(t.kind)});
        record(std::move(back));
        return;
      }
    };
    // A cycle closed by one rw edge a -> b and a path b -> a over `mask`.
    auto through_rw = [&](uint8_t mask, bool nonadjacent) {
      for (uint32_t a : comps[c]) {
        for (uint32_t i = offsets_[a]; i < offsets_[a + 1]; ++i) {
          if (out_of_budget) return;
          const Target& t = targets_[i];
          if (t.kind != bit(EdgeKind::kRW) || comp_of[t.to] != c) continue;
          auto back = path(t.to, a, mask, nonadjacent, comp_of, c, budget, out_of_budget);
          if (back.empty()) continue;
          back.insert(back.begin(), Edge{a, t.to, EdgeKind::kRW});
          record(std::move(back));
          return;
        }
      }
    };
    for (int level = 0; level < 3 && !out_of_budget; ++level) {
      uint8_t extra = (level >= 1 ? bit(EdgeKind::kProcess) : 0) | (level >= 2 ? bit(EdgeKind::kRealtime) : 0);
      const uint8_t ww = bit(EdgeKind::kWW), wr = bit(EdgeKind::kWR);
      if (!have_base("G0")) any_cycle(ww | extra);
      if (!have_base("G1c") && !out_of_budget) any_cycle(ww | wr | extra);
      if (!have_base("G-single") && !out_of_budget) through_rw(ww | wr | extra, false);
      if (!have_base("G-nonadjacent") && !out_of_budget) through_rw(kData | extra, true);
      if (!have_base("G2-item") && !out_of_budget) any_cycle(kData | extra);
    }
    if (out_of_budget) ++r.unfinished;
    for (uint32_t v : comps[c]) comp_of[v] = kNone;
  }
  r.steps = budget_start - budget;
  return r;
}

}  // namespace squall::checker::txn
