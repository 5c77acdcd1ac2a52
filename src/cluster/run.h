// ClusterRun: `squall cluster test` — bring up the cluster and its DB, run the nemesis
// schedule (and, when given, a workload) for the time limit, then the final phase (heal
// the network, resume paused and restart killed processes, reset clocks, wait until every
// node is ready), collect every node's logs into the store and tear everything down.
// Writes store/<test>/<time>/ with history.edn (nemesis ops as :info, their exact
// targets as values), jepsen.log, results.edn/.json (and independent/<key>/ for
// keyed checks), report.txt, the drawings (timeline.html, latency-raw.svg, rate.svg)
// and <node>/ with the node's logs.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "cluster/cluster.h"
#include "cluster/cluster_workload.h"
#include "cluster/etcd_db.h"

namespace squall::cluster {

struct RunOptions {
  ClusterOptions cluster;
  EtcdOptions etcd;
  std::vector<std::string> nemeses;  // names from nemesis_names(); empty = none
  int64_t nemesis_interval_ms = 10'000;
  int64_t time_limit_ms = 60'000;
  int64_t ready_timeout_ms = 30'000;
  uint64_t seed = 0;
  std::string store_root = "store";
  std::string test_name = "etcd";
  ClusterWorkload* workload = nullptr;  // nullptr: nemeses only
  // The DB of every node; unset: etcd alone (etcd_db(etcd)). The gossip-worker DB of
  // the shard workloads comes through here.
  std::function<std::unique_ptr<Db>()> make_db;
  int concurrency = 0;                      // the workload's client threads (for the report)
  std::string nemesis_text = "none";        // --nemesis as typed (for the report)
  std::string reproduce;                    // the command line that replays the run
  const std::atomic<bool>* stop = nullptr;  // SIGINT/SIGTERM: stop early, still tear down
  // Called after each nemesis op is applied (tests look at the cluster there).
  std::function<void(const workload::Op&, Cluster&)> on_fault;
  // Called with every op once it is recorded (client and nemesis, with :index and :time),
  // from the recording thread, outside the recorder's lock: a progress display hooks here.
  std::function<void(const workload::Op&)> on_op;
};

enum class RunVerdict { kValid, kInvalid, kUnknown };

struct RunOutcome {
  RunVerdict verdict = RunVerdict::kUnknown;
  std::string store_dir;
  std::string summary;  // one paragraph for the console
  std::string report;   // the JEPSEN REPORT (also the store's report.txt)
  size_t faults = 0;    // nemesis ops that started a fault
  int64_t bringup_ms = 0;
  int64_t teardown_ms = 0;
};

// Errors are setup failures (no network, DB never ready); everything after bring-up
// ends in an outcome. `console` gets progress lines (the log is also in jepsen.log).
Result<RunOutcome> run_cluster_test(const RunOptions& options, std::FILE* console);

}  // namespace squall::cluster
