// The JEPSEN REPORT that ends `squall cluster test` (the specification's layout): nodes,
// duration, ops ok/fail/info, nemesis, concurrency, result, the checker and its verdict,
// the invariant table, the anomalies, on failure the failing ops interleaved with the
// nemesis events around them, and the reproduction command. Pure function of its input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/value.h"
#include "workload/op.h"

namespace squall::cluster {

struct ClusterReportInput {
  std::string workload;  // "register", or "none" for a nemesis-only run
  std::vector<std::string> nodes;
  std::string transport;  // "local namespaces" or "ssh"
  double duration_s = 0;
  const workload::History* history = nullptr;
  const history::Value* results = nullptr;  // the check's result map
  std::string nemesis;                      // as typed, or "none"
  size_t faults = 0;
  int concurrency = 0;
  std::string result;  // PASS, FAIL or UNKNOWN
  int64_t bringup_ms = 0;
  int64_t teardown_ms = 0;
  std::string store_dir;
  std::string reproduce;
};

std::string render_cluster_report(const ClusterReportInput& in);

// The failing ops (history indices) with the nemesis events from kLeadS before the first
// to kTrailS after the last, one line each: "t=12.345s p3 :ok :add 17 (n1)"; the op at
// index `violation` is marked with `note`.
std::vector<std::string> interleaved_ops(const workload::History& h, const std::vector<size_t>& indices,
                                         int64_t violation = -1, const std::string& note = "");

}  // namespace squall::cluster
