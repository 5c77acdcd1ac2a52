// The txn workloads' flags, declared alike by `squall test` and `squall sim -w` (the same
// names, defaults and help as Maelstrom's). --consistency-models is read as text and
// split by the caller (harness::split_list).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "workload/workload.h"

namespace squall::cli {

inline void add_txn_workload_options(CLI::App& app, workload::WorkloadOptions* o, std::string* consistency_models) {
  app.add_option("--key-count", o->key_count, "Txn workloads: keys active at a time (default 3)");
  app.add_option("--max-txn-length", o->max_txn_length, "Txn workloads: most micro-ops per transaction (default 4)");
  app.add_option("--max-writes-per-key", o->max_writes_per_key,
                 "Txn workloads: writes a key gets before it retires (default 16)");
  app.add_option(
      "--consistency-models", *consistency_models,
      "Txn workloads: consistency models the history must satisfy, comma-separated (default strict-serializable)");
}

}  // namespace squall::cli
