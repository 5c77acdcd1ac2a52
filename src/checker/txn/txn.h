// txn::History: a transactional history (Elle's list-append or rw-register) in the compact
// form the txn checker reads.
//
// Each transaction is one client call: its outcome (ok, fail, info; a call that never
// completed is info), its process, where its invocation and completion stand in the
// recorded history (for real-time order), and its micro-ops. Keys are interned to dense
// ids (`keys` holds the original values, for reports); values written and read are
// integers, as both workloads use them. A read's result is `known` only on an ok
// completion: an info or failed call's reads are what it asked, not what it saw.
// List reads keep their elements in `elems` (a slice per micro-op), so a million
// transactions cost a few flat arrays rather than a million small vectors.
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "history/op.h"
#include "history/value.h"

namespace squall::checker::txn {

using history::OpType;

enum class MopF : uint8_t { kRead, kWrite, kAppend };

const char* to_string(MopF f);  // "r", "w", "append"

struct Mop {
  MopF f = MopF::kRead;
  bool known = false;     // reads: the result is known (ok completion, value present)
  bool nil = false;       // rw-register reads: read nil (the initial state)
  int32_t key = 0;        // index into History::keys
  int64_t value = 0;      // w / append: the value; rw-register r: the value read
  uint32_t elems_at = 0;  // list-append r: slice of History::elems
  uint32_t elems_len = 0;
};

struct Txn {
  int64_t index = 0;      // the op that ends the call (its completion, else its invocation)
  int64_t invoke = 0;     // position of the invocation in the recorded history
  int64_t complete = -1;  // position of the completion; -1 when it never completed
  int64_t process = 0;
  OpType type = OpType::kOk;  // kOk, kFail or kInfo
  uint32_t mops_at = 0;
  uint32_t mops_len = 0;
};

struct History {
  std::vector<Txn> txns;  // in invocation order
  std::vector<Mop> mops;
  std::vector<int64_t> elems;
  std::vector<history::Value> keys;  // key id -> the key as recorded

  std::span<const Mop> mops_of(const Txn& t) const { return {mops.data() + t.mops_at, t.mops_len}; }
  std::span<const int64_t> elems_of(const Mop& m) const { return {elems.data() + m.elems_at, m.elems_len}; }
};

}  // namespace squall::checker::txn
