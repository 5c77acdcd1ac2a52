// Convergence rounds: how many message hops an element needed to reach every node.
//
// A round is one message hop between servers. For each acknowledged element (an evenly
// spaced sample of at most kRoundSamples), the network journal is replayed from the
// element's invocation at the node that acknowledged it: a node becomes informed when it
// receives a message that an informed node sent after becoming informed, one hop deeper
// than its sender. The element's rounds are the hop depth at which the last live node
// became informed. This is the fastest causal chain the element could have travelled,
// so it is a lower bound on the rounds the protocol really used. Pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/journal.h"
#include "workload/op.h"

namespace squall::harness {

inline constexpr size_t kRoundSamples = 200;

struct RoundsSummary {
  bool measured = false;
  std::string why_not;  // when not measured
  int max_rounds = 0;
  int median_rounds = 0;
  int64_t elements = 0;     // elements measured
  int64_t unconverged = 0;  // sampled elements the journal never carried to every node
  // Set by `squall sim -w` (src/msim/exact_rounds.h): every element traced along the
  // hops it really took, with the time from first add to the last node learning it.
  bool exact = false;
  int64_t median_ms = 0;
  int64_t max_ms = 0;
};

// `add_f`: the workload's add op ("broadcast" / "add"); nodes are endpoints 0..n-1 with
// names `nodes`; `alive[i]` false excludes crashed nodes.
RoundsSummary measure_rounds(const workload::History& history, const std::string& add_f,
                             const std::vector<std::string>& nodes, const std::vector<bool>& alive,
                             const net::Journal& journal);

}  // namespace squall::harness
