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
  // Counting sort by source (linear; a comparison sort of millions of edges was a tenth
  // of a check), then each node's few targets sorted and deduplicated in place.
  std::vector<uint32_t> start(nodes_ + 1, 0);
  // Chunk c of a kind's list holds edges [0, used(p, c)).
  auto used = [](const Pending& p, size_t c) {
    return c + 1 < p.chunks.size() ? kChunk : static_cast<size_t>(p.fill - p.chunks.back().get());
  };
  size_t total = 0;
  for (const Pending& p : pending_)
    for (size_t c = 0; c < p.chunks.size(); ++c) {
      const size_t n = used(p, c);
      const Pair* chunk = p.chunks[c].get();
      total += n;
      for (size_t i = 0; i < n; ++i) ++start[chunk[i].from + 1];
    }
  for (uint32_t i = 0; i < nodes_; ++i) start[i + 1] += start[i];
  std::unique_ptr<Target[]> all(new Target[total]);
  {
    std::vector<uint32_t> at(start.begin(), start.end() - 1);
    for (size_t k = 0; k < kKinds; ++k) {
      Pending& p = pending_[k];
      const auto kind = static_cast<uint8_t>(1u << k);
      for (size_t c = 0; c < p.chunks.size(); ++c) {
        const size_t n = used(p, c);
        const Pair* chunk = p.chunks[c].get();
        for (size_t i = 0; i < n; ++i) all[at[chunk[i].from]++] = {chunk[i].to, kind};
        p.chunks[c].reset();
      }
      p = Pending{};
    }
  }
  offsets_.assign(nodes_ + 1, 0);
  size_t out = 0;
  auto key = [](const Target& t) { return (static_cast<uint64_t>(t.to) << 8) | t.kind; };
  for (uint32_t v = 0; v < nodes_; ++v) {
    Target* first = all.get() + start[v];
    Target* last = all.get() + start[v + 1];
    if (last - first > 32) {
      std::sort(first, last, [&](const Target& a, const Target& b) { return key(a) < key(b); });
    } else {
      // Insertion sort: a node has a handful of targets, often added in order already.
      for (Target* i = first + 1; i < last; ++i) {
        const Target x = *i;
        Target* j = i;
        for (; j > first && key(j[-1]) > key(x); --j) *j = j[-1];
        *j = x;
      }
    }
    for (Target* it = first; it != last; ++it) {
      if (out > offsets_[v] && all[out - 1].to == it->to && all[out - 1].kind == it->kind) continue;
      all[out++] = *it;
    }
    offsets_[v + 1] = static_cast<uint32_t>(out);
  }
  targets_ = std::move(all);
  edges_ = out;
}

void DepGraph::next_chunk(Pending& p) {
  p.chunks.push_back(std::make_unique_for_overwrite<Pair[]>(kChunk));
  p.fill = p.chunks.back().get();
  p.end = p.fill + kChunk;
}

std::vector<std::vector<uint32_t>> DepGraph::components(const std::vector<uint32_t>& nodes, uint8_t mask,
                                                        const std::vector<uint32_t>* comp_of, uint32_t comp) const {
  // Iterative Tarjan; scratch sized to the graph, reset only where touched. A node's
  // index, low link and stack flag share one entry: one cache miss per node visited.
  struct Visit {
    uint32_t index = kNone;
    uint32_t low = 0;
    bool on_stack = false;
  };
  static thread_local std::vector<Visit> visit;
  if (visit.size() < nodes_) visit.assign(nodes_, Visit{});
  auto inside = [&](uint32_t v) { return comp_of == nullptr || (*comp_of)[v] == comp; };
  std::vector<std::vector<uint32_t>> out;
  std::vector<uint32_t> stack;
  struct Frame {
    uint32_t v, next;
  };
  std::vector<Frame> frames;
  uint32_t counter = 0;
  for (uint32_t root : nodes) {
    if (visit[root].index != kNone) continue;
    frames.push_back({root, offsets_[root]});
    visit[root] = {counter, counter, true};
    ++counter;
    stack.push_back(root);
    while (!frames.empty()) {
      Frame& f = frames.back();
      uint32_t v = f.v;
      if (f.next < offsets_[v + 1]) {
        const Target& t = targets_[f.next++];
        if (!(t.kind & mask) || !inside(t.to)) continue;
        Visit& to = visit[t.to];
        if (to.index == kNone) {
          to = {counter, counter, true};
          ++counter;
          stack.push_back(t.to);
          frames.push_back({t.to, offsets_[t.to]});
        } else if (to.on_stack) {
          visit[v].low = std::min(visit[v].low, to.index);
        }
        continue;
      }
      frames.pop_back();
      const Visit& here = visit[v];
      if (!frames.empty()) {
        uint32_t& up = visit[frames.back().v].low;
        up = std::min(up, here.low);
      }
      if (here.low == here.index) {
        if (stack.back() == v) {  // a component of one node, the usual case: no list for it
          stack.pop_back();
          visit[v].on_stack = false;
          continue;
        }
        std::vector<uint32_t> c;
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          visit[w].on_stack = false;
          c.push_back(w);
        } while (w != v);
        out.push_back(std::move(c));
      }
    }
  }
  for (uint32_t v : nodes) visit[v].index = kNone;
  return out;
}

std::vector<Edge> DepGraph::path(uint32_t from, uint32_t to, uint8_t mask, bool nonadjacent,
                                 const std::vector<uint32_t>& comp_of, uint32_t comp, int64_t& budget,
                                 bool& out_of_budget, int64_t cap, bool& cut) const {
  int64_t steps = 0;
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
      if (cap > 0 && ++steps > cap) {
        cut = true;
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
  SQ_ASSERT_MSG(std::all_of(pending_.begin(), pending_.end(), [](const Pending& p) { return p.chunks.empty(); }),
                "DepGraph::find_cycles before freeze()");
  SearchResult r;
  int64_t budget = step_budget > 0 ? step_budget : std::numeric_limits<int64_t>::max();
  const int64_t budget_start = budget;
  std::vector<uint32_t> all(nodes_);
  for (uint32_t i = 0; i < nodes_; ++i) all[i] = i;
  auto comps = components(all, 0xff, nullptr, 0);
  r.components = static_cast<int64_t>(comps.size());
  std::vector<uint32_t> comp_of(nodes_, kNone), sub_of(nodes_, kNone);
  uint32_t sub_id = 0;
  bool out_of_budget = false;
  for (uint32_t c = 0; c < comps.size(); ++c) {
    if (out_of_budget) {
      ++r.unfinished;
      continue;
    }
    for (uint32_t v : comps[c]) comp_of[v] = c;
    std::vector<std::string> found;  // classes found in this component
    bool incomplete = false;         // some search gave up before finding its class
    auto have = [&](const std::string& cls) { return std::find(found.begin(), found.end(), cls) != found.end(); };
    auto have_base = [&](const std::string& base) {
      for (const auto& f : found) {
        std::string rest = f.rfind(base, 0) == 0 ? f.substr(base.size()) : "?";
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
    // Searches run inside one strongly connected component of the level's graph (sub):
    // every cycle of that level lies in one, and they are much smaller than the
    // component of the whole graph once real-time edges join everything up.
    const std::vector<uint32_t>* sub = nullptr;
    // Any cycle through edges in mask, if the sub-component has one.
    auto any_cycle = [&](uint8_t mask) {
      auto inner = components(*sub, mask, &sub_of, sub_id);
      if (inner.empty()) return;
      uint32_t s = inner[0][0];
      for (uint32_t i = offsets_[s]; i < offsets_[s + 1] && !out_of_budget; ++i) {
        const Target& t = targets_[i];
        if (!(t.kind & mask) || sub_of[t.to] != sub_id) continue;
        bool cut = false;
        auto back = path(t.to, s, mask, false, sub_of, sub_id, budget, out_of_budget, 0, cut);
        if (back.empty()) continue;
        back.insert(back.begin(), Edge{s, t.to, static_cast<EdgeKind>(t.kind)});
        record(std::move(back));
        return;
      }
    };
    // A cycle closed by one rw edge a -> b and a path b -> a over `mask`. Each attempt is
    // capped (kAttemptSteps), and so is the number of attempts that fail (kAttemptsMax): a
    // failing search explores everything b reaches, which on a long history is most of
    // it. Giving up marks the component incomplete unless the class turns up anyway.
    auto through_rw = [&](uint8_t mask, bool nonadjacent) {
      int failures = 0;
      bool cut_any = false;
      for (uint32_t a : *sub) {
        for (uint32_t i = offsets_[a]; i < offsets_[a + 1]; ++i) {
          if (out_of_budget) return;
          const Target& t = targets_[i];
          if (t.kind != bit(EdgeKind::kRW) || sub_of[t.to] != sub_id) continue;
          bool cut = false;
          auto back = path(t.to, a, mask, nonadjacent, sub_of, sub_id, budget, out_of_budget, kAttemptSteps, cut);
          if (back.empty()) {
            cut_any |= cut;
            if (++failures >= kAttemptsMax) {
              incomplete = true;
              return;
            }
            continue;
          }
          back.insert(back.begin(), Edge{a, t.to, EdgeKind::kRW});
          record(std::move(back));
          return;
        }
      }
      incomplete |= cut_any;
    };
    for (int level = 0; level < 3 && !out_of_budget; ++level) {
      uint8_t extra = (level >= 1 ? bit(EdgeKind::kProcess) : 0) | (level >= 2 ? bit(EdgeKind::kRealtime) : 0);
      const uint8_t ww = bit(EdgeKind::kWW), wr = bit(EdgeKind::kWR);
      for (const auto& s : components(comps[c], kData | extra, &comp_of, c)) {
        if (out_of_budget) break;
        ++sub_id;
        for (uint32_t v : s) sub_of[v] = sub_id;
        sub = &s;
        if (!have_base("G0")) any_cycle(ww | extra);
        if (!have_base("G1c") && !out_of_budget) any_cycle(ww | wr | extra);
        if (!have_base("G-single") && !out_of_budget) through_rw(ww | wr | extra, false);
        if (!have_base("G-nonadjacent") && !out_of_budget) through_rw(kData | extra, true);
        if (!have_base("G2-item") && !out_of_budget) any_cycle(kData | extra);
        for (uint32_t v : s) sub_of[v] = kNone;
      }
    }
    // Incomplete searches matter only for classes still missing; G2-item (any cycle)
    // is always found, so the missing ones are G-single and G-nonadjacent forms.
    if (out_of_budget || (incomplete && !(have_base("G-single") && have_base("G-nonadjacent")))) ++r.unfinished;
    for (uint32_t v : comps[c]) comp_of[v] = kNone;
  }
  r.steps = budget_start - budget;
  return r;
}

}  // namespace squall::checker::txn
