// Options: gossip-worker's command line, parsed and checked.
//
// parse_options() turns argv into Options or a message naming the flag and what was
// wrong with it (the binary prints it and exits 2); it never exits or prints itself.
// usage() is the --help text, listing every flag and every --fault. Value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "coord/mutations.h"
#include "worker/fault.h"

namespace squall::worker_driver {

struct Options {
  std::vector<std::string> endpoints;  // etcd client endpoints, "host:port"
  uint64_t worker_id = 0;              // 1..65535 (op_ids carry it in 16 bits)
  uint64_t tenant = 1;
  uint64_t run = 1;
  std::string prefix = "/squall/";  // every etcd key starts with it
  uint64_t corpus_seed = 1;
  uint32_t items = 10'000;
  uint32_t roots = 16;                  // root shards the run is registered with
  std::string listen;                   // "host:port": controlled mode (empty: autonomous)
  bool clock_from_requests = false;     // --control-clock request: control requests carry now_ms
  int64_t lease_ms = 2000;              // the run's lease duration (when this worker creates it)
  int64_t claim_cooldown_ms = 0;        // the run's claim cooldown (likewise)
  int64_t etcd_timeout_ms = 1000;       // one etcd call, at most
  int64_t give_up_ms = 60'000;          // no coordinator answer for this long: exit 1
  uint32_t page_max = 32;               // items per page, at most
  uint32_t split_min_items = 64;        // shards below this size are not split
  uint32_t leases_max = 2;              // leases held at once
  std::optional<uint32_t> incarnation;  // default: from the start time
  std::optional<uint64_t> seed;         // the core's choices; default: from worker id and incarnation
  std::string trace;                    // wire trace file (empty: none)
  worker::Faults faults;
  // Deliberate coordinator bugs (--coord-mutation): a harness probing the coordinator
  // through the control API needs them, as --fault acts on the worker core only.
  coord::Mutations mutations;
  bool help = false;
};

struct OptionsError {
  std::string message;
};

std::variant<Options, OptionsError> parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace squall::worker_driver
