// Faults: deliberate bugs for negative-control tests of the harness and checkers.
//
// Each fault makes maelstrom_gossip violate exactly one property, so that a checker
// which fails to notice it is shown to be broken. None is active by default; they are
// selected with `--fault NAME[=ARG]` (repeatable). Plain data; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace squall::gossip {

struct Faults {
  bool no_gossip = false;             // never send gossip or anti-entropy: broadcast/sets/counters diverge
  bool garbage_line = false;          // write one non-JSON line to stdout after init
  int64_t crash_after = -1;           // exit abnormally after serving N input messages
  bool duplicate_ids = false;         // unique-ids hands every id out twice
  bool lose_adds = false;             // counters/sets acknowledge every third add but drop it
  bool kafka_local_offsets = false;   // kafka allocates offsets per node, without lin-kv
  std::string lin_kv_via = "lin-kv";  // service the lin-kv workload proxies to
  bool txn_aborted_read = false;      // rw-register: every third writing txn answers error 30, writes kept (G1a)
  bool txn_lost_update = false;       // list-append: install with write instead of cas (lost update)
  bool txn_read_skew = false;         // list-append: read-only txns read their first key from a stale copy
  bool any() const;
};

// Applies one `--fault` argument to `faults`; the error names the valid choices.
Status apply_fault(std::string_view spec, Faults* faults);

// One line per fault, for --help.
std::string faults_help();

}  // namespace squall::gossip
