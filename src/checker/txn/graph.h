// DepGraph: the transaction dependency graph the txn checker searches for cycles, and the
// search itself.
//
// Nodes are transaction ids (indices into txn::History::txns); edges carry one kind each:
// ww (write-write), wr (write-read), rw (read-write anti-dependency), process (the next
// transaction of the same client) and realtime (completed before the other was invoked).
// Edges are collected with add() and frozen into a compact adjacency array by freeze();
// explanations are rebuilt for the few edges of a reported cycle, so the graph holds only
// (to, kind) per edge.
//
// find_cycles(): Tarjan's algorithm splits the graph into strongly connected components;
// in each, a sequence of bounded searches looks for the strongest cycle class first (only
// ww; ww+wr; exactly one rw; rw edges never adjacent; any), first on data edges alone,
// then with process edges, then with real-time edges too. Each search is a breadth-first
// search, so cycles reported are short. A shared step budget bounds the work; when it
// runs out, the components not fully searched are counted and the caller must not call
// the models the missing searches could have ruled out invalid. Searches run inside the
// strongly connected components of each level's graph; the searches through one
// anti-dependency edge, which fail expensively, are capped per attempt and in number,
// and giving up counts the component as not fully searched unless its classes turned
// up anyway.
// Not thread-safe; one graph per check.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace squall::checker::txn {

enum class EdgeKind : uint8_t { kWW = 1, kWR = 2, kRW = 4, kProcess = 8, kRealtime = 16 };

const char* to_string(EdgeKind k);  // "ww", "wr", "rw", "process", "realtime"

struct Edge {
  uint32_t from = 0, to = 0;
  EdgeKind kind = EdgeKind::kWW;
};

// A cycle: edges[i].to == edges[i+1].from, and the last edge ends where the first starts.
struct Cycle {
  std::vector<Edge> edges;
};

// Elle's class of a cycle from its edge kinds: G0, G1c, G-single, G-nonadjacent or
// G2-item, with "-realtime" if it uses a real-time edge, else "-process" if it uses a
// process edge.
std::string classify(const Cycle& c);

class DepGraph {
 public:
  explicit DepGraph(uint32_t nodes) : nodes_(nodes) {}

  void add(uint32_t from, uint32_t to, EdgeKind kind) {
    if (from == to) return;
    Pending& p = pending_[static_cast<size_t>(std::countr_zero(static_cast<unsigned>(kind)))];
    if (p.fill == p.end) next_chunk(p);
    *p.fill++ = {from, to};
  }
  // Sorts and deduplicates the edges into adjacency arrays; add() is not allowed after.
  void freeze();

  uint32_t nodes() const { return nodes_; }
  size_t edge_count() const { return edges_; }

  // Limits of the searches for a cycle through one anti-dependency (see find_cycles).
  static constexpr int64_t kAttemptSteps = 200'000;
  static constexpr int kAttemptsMax = 256;

  struct SearchResult {
    std::vector<Cycle> cycles;  // at most one per class and component
    int64_t components = 0;     // strongly connected components with a cycle
    int64_t unfinished = 0;     // components whose search ran out of budget
    int64_t steps = 0;
  };
  // step_budget: edge visits allowed over all searches (0 = unlimited).
  SearchResult find_cycles(int64_t step_budget) const;

  // The strongly connected components (two nodes or more) of the whole graph restricted
  // to edges in `mask` (a bitwise or of EdgeKind values).
  std::vector<std::vector<uint32_t>> strongly_connected(uint8_t mask) const;

 private:
  struct Target {
    uint32_t to;
    uint8_t kind;
  };
  // Strongly connected components of the subgraph of `nodes` (all sharing component
  // `comp` in `comp_of`, or the whole graph when comp_of is empty) using edges in `mask`.
  // Returns the nontrivial components as node lists.
  std::vector<std::vector<uint32_t>> components(const std::vector<uint32_t>& nodes, uint8_t mask,
                                                const std::vector<uint32_t>* comp_of, uint32_t comp) const;
  // Shortest path from `from` to `to` inside component `comp` over edges in `mask`; with
  // `nonadjacent`, no two rw edges in a row and the first edge (after an rw) not rw, the
  // last not rw. Empty when none (or budget exhausted: *out_of_budget set).
  // `cap` (0 = none) bounds the edges this one search visits; reaching it sets `cut`.
  std::vector<Edge> path(uint32_t from, uint32_t to, uint8_t mask, bool nonadjacent,
                         const std::vector<uint32_t>& comp_of, uint32_t comp, int64_t& budget, bool& out_of_budget,
                         int64_t cap, bool& cut) const;

  // Edges wait in fixed-size chunks, one list per kind (so 8 bytes an edge): a single
  // vector of millions of edges would copy itself at every doubling, and freeze() can
  // release each chunk once it is sorted in.
  static constexpr size_t kChunk = 1 << 16;
  static constexpr size_t kKinds = 5;
  struct Pair {
    uint32_t from, to;
  };
  struct Pending {
    std::vector<std::unique_ptr<Pair[]>> chunks;  // all full but the last, filled up to fill
    Pair* fill = nullptr;
    Pair* end = nullptr;
  };
  static void next_chunk(Pending& p);

  uint32_t nodes_;
  std::array<Pending, kKinds> pending_;
  std::vector<uint32_t> offsets_;      // node -> first index in targets_ (nodes_ + 1 entries)
  std::unique_ptr<Target[]> targets_;  // not zeroed first: freeze() writes every one it keeps
  size_t edges_ = 0;
  mutable std::vector<uint32_t> mark_;  // BFS visit stamps
  mutable std::vector<size_t> parent_;
  mutable std::vector<uint8_t> parent_kind_;
  mutable uint32_t stamp_ = 0;
};

}  // namespace squall::checker::txn
