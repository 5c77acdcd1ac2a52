// Set-full checker: the convergence checker of broadcast and g-set.
//
// Elements are added with `add_f` ops (value = the element) and observed by ok "read"
// ops whose value is a JSON array. An element is *known* from the completion of its ok
// add, or from the completion of the first read that contained it. Only reads that began
// after an element was known speak about it:
//   stable      - some such read contained it after the last such read that lacked it;
//   lost        - a read lacked it and no later read contained it, or a final read (after
//                 healing and recovery) on any node lacked it: convergence means every
//                 node has every acknowledged element at the end;
//   never-read  - no read said anything about it (indeterminate adds land here);
//   stale       - stable, but some read began after it was known and lacked it.
// Stable latency = last lacking read's start - known time (0 if none), in ms; quantiles
// at 0, 0.5, 0.95, 0.99 and 1. Elements that reads return but nobody added are
// *unexpected*. Verdict: invalid if anything is lost or unexpected; unknown if an
// acknowledged element was never read or nothing was attempted; valid otherwise.
// Pure function of the history.
#pragma once

#include <string_view>

#include "history/value.h"
#include "workload/op.h"
#include "workload/verdict.h"
#include "workload/workload.h"

namespace squall::workload {

history::Value check_set_full(const History& history, std::string_view add_f, const CheckContext& ctx);

}  // namespace squall::workload
