// The txn checker: isolation anomalies in a list-append or rw-register history, found
// the way Elle finds them (dependency inference from the values read, then cycles), and
// the consistency models they rule out.
//
// Inference. List-append: every ok read of a key is a prefix of one version order, the
// longest read of that key (a read that is not is an incompatible-order); consecutive
// elements give ww edges between their writers, a read ending in element e gives a wr
// edge from e's writer and an rw edge to the writer of the element after e. Only a
// transaction's external reads count for dependencies (its first read of a key, before
// it writes the key). Rw-register: written values are unique, so a read names its
// writer (wr); a transaction that read v and then wrote w orders v before w, which gives
// a ww edge from v's writer and rw edges from v's other readers; a read of nil precedes
// every write of its key (rw). Process order (successive transactions of one client) and
// real-time order (one completed before the other was invoked) are added as their own
// edge kinds. Failed transactions are not nodes; info transactions are, with their writes.
//
// Graph-free anomalies: G1a (read of an aborted write), G1b (read of a value its writer
// later overwrote in the same transaction), internal (a read disagreeing with the
// transaction's own earlier reads and writes), dirty-update (a committed append ordered
// after an aborted one), duplicate-elements, incompatible-order, lost-update (two
// committed transactions read the same version of a key and both wrote it),
// cyclic-versions (rw-register orders that contradict each other), future-read (a read
// of a value the transaction writes only later), garbage-read (a value nobody wrote).
// Cycle anomalies: see graph.h and models.h.
//
// Verdict: invalid when an anomaly found rules out one of the requested models; unknown
// when the cycle search ran out of budget and the requested models are not already
// ruled out; valid otherwise. Pure; thread-safe. Cost: about linear in the history (reads
// are compared element by element) plus the cycle search, bounded by Options::step_budget;
// about 0.6-0.7 us a transaction on one core (bench/txn_check_bench). Memory beyond the
// history: linear too, about 150 bytes a transaction at Maelstrom's shape (the dependency
// graph at 8 bytes an edge, 16 while it is built; the writer index at 16 bytes a write).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checker/txn/models.h"
#include "checker/txn/txn.h"
#include "core/verdict.h"
#include "history/value.h"

namespace squall::checker::txn {

enum class Workload { kListAppend, kRwRegister };

struct Options {
  Workload workload = Workload::kListAppend;
  std::vector<std::string> consistency_models = {"strict-serializable"};  // canonical names
  int64_t step_budget = 200'000'000;  // edge visits over all cycle searches; 0 = none
  size_t max_examples = 8;            // kept per anomaly type; counts are exact
};

struct Stats {
  int64_t txns = 0, ok = 0, fail = 0, info = 0;
  int64_t keys = 0;
  int64_t edges = 0;
  int64_t components = 0;  // strongly connected components with a cycle
  int64_t unfinished = 0;  // components whose cycle search ran out of budget
  int64_t steps = 0;
  int64_t duplicate_writes = 0;  // (key, value) written by two transactions: the later is not inferred from
};

struct CheckResult {
  Verdict verdict = Verdict::kValid;
  std::set<std::string> anomaly_types;
  std::map<std::string, int64_t> counts;                         // per anomaly type
  std::map<std::string, std::vector<history::Value>> anomalies;  // examples, EDN maps
  std::map<std::string, std::vector<std::string>> texts;         // the same examples, in words
  RuledOut ruled;
  std::string unknown_reason;
  Stats stats;
};

CheckResult check(const History& h, const Options& options);

// Elle's result shape: {:valid? :anomaly-types :anomalies :not :also-not} plus :stats and,
// when unknown, :unknown-reason.
history::Value to_value(const CheckResult& r);

// A few lines for people: verdict, anomaly types with counts, the first example of each.
std::string summary(const CheckResult& r);

}  // namespace squall::checker::txn
