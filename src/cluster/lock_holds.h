// Lock holds as a history shows them, and where they overlap. A hold runs from the
// completion of an ok :acquire (its value {"key": the lock's ownership key, "rev": that
// key's create revision}) to the invocation of the :release of the same key — the span
// in which the client believed it held the lock — or to the end of the history when it
// never released. Mutual exclusion means no two holds overlap. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster {

struct Hold {
  int64_t process = 0;
  std::string node;
  std::string key;
  int64_t rev = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool released = false;
  size_t acquired_at = 0;    // history index of the ok :acquire
  int64_t released_at = -1;  // history index of the :release invocation, -1 if none
};

// Holds in order of acquisition.
std::vector<Hold> lock_holds(const workload::History& h);

// Pairs (a, b) of indices into `holds` that overlap, a acquired first; each hold that
// overlaps an earlier one appears once, paired with the earlier hold that ends last.
std::vector<std::pair<size_t, size_t>> overlapping_holds(const std::vector<Hold>& holds);

// {:process :node :key :rev :from-s :to-s :released?} for results.edn.
history::Value hold_value(const Hold& hold);
// "p3 on n1 held squall/lock/694d… (create revision 120) from 12.345 s to 17.890 s".
std::string describe_hold(const Hold& hold);

}  // namespace squall::cluster
