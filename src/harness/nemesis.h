// Nemesis: the partition schedule of a run, computed up front from the seed.
//
// `--nemesis partition` alternately starts and heals partitions; each gap is uniform in
// [0, 2 x interval]. Each start picks one of four shapes: isolate one node, two random
// halves, a minority of floor((n-1)/3) nodes split off, or a majorities ring (nodes in a
// random ring; each node hears only the majority of nodes nearest to it, so every node
// sees a majority and no two see the same one). A partition is a grudge: for each node,
// the nodes whose messages it drops. Because the whole schedule is derived from the
// seed before the run starts, the same seed always gives the same schedule, whatever the
// nodes do. Pure data once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"

namespace squall::harness {

struct NemesisEvent {
  int64_t at_ns = 0;                     // since the main phase began
  bool start = true;                     // start a partition, or heal
  std::string shape;                     // "isolate", "halves", "minority", "majorities-ring", "one-way"
  std::vector<std::vector<int>> grudge;  // grudge[dest] = sources dest drops (node indices)
  std::string describe(const std::vector<std::string>& nodes) const;
  // {"shape":"halves","grudge":{"n0":["n3"],...}} for the history.
  std::string value_json(const std::vector<std::string>& nodes) const;
};

// The schedule for `duration_ns` of main phase. Empty for fewer than 2 nodes. With
// `one_way`, a fifth shape joins the draw (without it, a seed's schedule is as before):
// "one-way", a random half of the nodes cannot hear the other half, who still hear them.
// `two_way` false leaves one-way as the only shape (--nemesis one-way alone).
std::vector<NemesisEvent> partition_schedule(int node_count, double interval_s, int64_t duration_ns, Rng rng,
                                             bool one_way = false, bool two_way = true);

// Builds one partition of the given shape (exposed for tests).
NemesisEvent make_partition(const std::string& shape, int node_count, Rng& rng);

}  // namespace squall::harness
