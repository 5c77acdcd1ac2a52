// squall check --model list-append|rw-register: the txn checker over history files.
#pragma once

#include <string>
#include <vector>

namespace squall::cli {

struct TxnCheckArgs {
  std::string model;               // "list-append" or "rw-register"
  std::string consistency_models;  // comma-separated; empty: strict-serializable
  std::string format = "auto";     // auto, edn, jepsen-log, jsonl, elle-json
  double timeout_s = 0;            // reading budget per file (0 = none)
  bool quiet = false;
  bool allow_empty = false;  // a history with no transactions is valid instead of an error
  std::vector<std::string> files;
  // Where to draw the cycle anomalies of invalid histories (empty: nowhere); with several
  // files, each gets DIR/<file name>/.
  std::string elle_dir;
};

bool is_txn_model(const std::string& model);

// Checks each file and prints one summary line per file, then (unless quiet) the anomalies
// found and the result map in Elle's shape. Returns the exit code: 0 all valid, 1 some
// invalid, 2 some unknown, 254 bad usage or input.
int check_txn_files(const TxnCheckArgs& a);

}  // namespace squall::cli
