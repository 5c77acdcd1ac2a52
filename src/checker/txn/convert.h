// From recorded histories to txn::History, and elle-cli's JSON input.
//
// A transaction's value is a list of micro-ops [f k v] with f one of r, w, append (as
// keywords in EDN, strings in JSON). Keys may be any value (interned); written values
// must be integers. An ok completion's micro-ops carry what was read: list-append reads
// a list of integers (nil is the empty list), rw-register reads an integer or nil (the
// initial state). A failed or indeterminate call is taken from its invocation, whose
// reads are unknown. Every op of the history must be a transaction (any :f; elle-cli's
// JSON may leave :f out). A micro-op that does not fit the workload (w in list-append,
// append in rw-register, a list read in rw-register) is an error naming the op.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "checker/txn/checker.h"
#include "checker/txn/txn.h"
#include "core/result.h"
#include "history/history.h"

namespace squall::checker::txn {

Result<History> from_history(const history::History& h, Workload workload);

// elle-cli's JSON: one array of op objects {"type": "invoke"|"ok"|"fail"|"info",
// "process": int, "f"?: any, "value": [[f, k, v], ...], "index"?: int, "time"?: int}.
// Errors name the source and the op ("h.json: op 3: process must be an integer").
Result<history::History> parse_elle_json(std::string_view text, const std::string& name);

// Whether text looks like elle-cli's JSON (an array whose first object's first member
// name is a string), so that `squall check` can tell it from an EDN vector of op maps.
bool looks_like_elle_json(std::string_view text);

}  // namespace squall::checker::txn
