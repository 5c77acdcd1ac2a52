// The drawing of one cycle anomaly found by the txn checker, as a self-contained SVG.
//
// The transactions of the cycle stand on a circle in cycle order, clockwise from the top,
// each as a box with its name, process and outcome over its micro-ops; the dependency
// edges are curved arrows coloured by kind (ww, wr, rw, process, realtime) and labelled
// with the key and values that justify them, with a legend of the kinds. The title names
// the anomaly and the consistency models it rules out.
//
// The input is plain text prepared by the caller (viz does not know the checker's types):
// the caller turns the checker's example into TxnCycle. Bounded: at most kTxnGraphMaxTxns
// transactions and kTxnGraphMaxMops micro-ops per box are drawn, and every text is cut to
// a fixed length; the drawing says what it left out. Self-contained: no scripts, no
// external fonts or links (only generic font families and in-document marker ids).
// Pure function of its input.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace squall::viz {

inline constexpr size_t kTxnGraphMaxTxns = 12;
inline constexpr size_t kTxnGraphMaxMops = 8;

struct TxnNode {
  std::string name;               // "T12": how edges and readers refer to it
  std::string process;            // "3"
  std::string outcome;            // "ok", "info", "fail"
  std::vector<std::string> mops;  // one line each, e.g. "[:append 3 5]"
};

struct TxnArrow {
  size_t from = 0, to = 0;  // indices into TxnCycle::txns
  std::string kind;         // "ww", "wr", "rw", "process", "realtime" (others drawn grey)
  std::string label;        // e.g. "wr 3=5"
};

struct TxnCycle {
  std::string anomaly;                      // e.g. "G-single"
  std::vector<std::string> rules_out;       // the weakest models it rules out
  std::vector<std::string> also_rules_out;  // the stronger ones
  std::vector<TxnNode> txns;                // in cycle order
  std::vector<TxnArrow> arrows;
};

std::string render_txn_cycle(const TxnCycle& cycle);

// The colour of an edge kind in the drawing (grey for unknown kinds).
const char* txn_edge_colour(const std::string& kind);

}  // namespace squall::viz
