// End to end: three gossip-worker processes, autonomous, on a 3-member etcd cluster
// over a 10,000-item corpus with splits. Mid-run one worker is SIGKILLed and started
// again, one worker is paused (SIGSTOP) for longer than a lease, and the etcd member
// every worker talks to first is killed and restarted. At the end the run must be Done,
// every item processed, the findings in etcd equal to the corpus's ground truth
// exactly, S1–S9 must hold on the records and their history, and every worker's wire
// trace must show it writing only under leases it holds (worker_audit/run_audit.h).
//
// The same scenario with each negative control (--fault) must fail, and for that
// fault's own reason: skip-fence-check keeps writing after being told its lease is
// gone (WorkerConduct), ignore-live-lease takes live leases (S1), checkpoint-before-
// findings loses the killed worker's unawaited findings (MissingFinding),
// non-idempotent-findings stores re-processed findings twice (DuplicateFinding).
//
// Label etcd; skipped with a message when etcd is not installed. Every worker runs
// under setpriv --pdeathsig KILL and is killed by the test's guard; the temporary
// directory (logs, traces) is removed (unless SQUALL_E2E_KEEP is set); the shared
// cluster checks its own leftovers.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <fstream>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "core/testing/subprocess.h"
#include "etcd/client.h"
#include "etcd/testing/shared_cluster.h"
#include "etcd_store/content_set.h"
#include "sim/stats.h"
#include "worker/fault.h"
#include "worker_audit/run_audit.h"

namespace squall::gossip_worker_test {
namespace {

using worker_audit::audit_run;
using worker_audit::AuditInput;
using worker_audit::AuditResult;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kItems = 10'000;
constexpr uint32_t kRoots = 24;
// Long enough that a page's three etcd writes fit well inside it when other builds
// load the machine (at 600 ms and a load of 9 the workers lost leases faster than they
// finished pages).
constexpr int64_t kLeaseMs = 1200;
constexpr int64_t kClaimCooldownMs = 20;  // so that S9 has something to check
constexpr uint64_t kCorpusSeed = 20261203;
constexpr int kWorkers = 3;
constexpr auto kRunDeadline = 40s;
constexpr auto kStall = 8s;

// A temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "squall-gw-XXXXXX").string();
    SQ_ASSERT(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    // SQUALL_E2E_KEEP=1 keeps the workers' logs and traces for a post-mortem.
    if (getenv("SQUALL_E2E_KEEP") == nullptr) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Case {
  const char* name;
  std::optional<worker::Fault> fault;
  const char* reason;  // the audit's tag for the reason the fault must cause ("" for the honest run)
  int64_t lease_ms = kLeaseMs;
};

class Scenario {
 public:
  Scenario(etcd::testing::LocalCluster* cluster, const Case& c, int attempt) : cluster_(cluster), case_(c) {
    prefix_ = fmt::format("/e2e-{}-{}/", c.name, attempt);
    for (const auto& e : cluster_->endpoints()) endpoints_ += (endpoints_.empty() ? "" : ",") + e;
    etcd::ClientOptions o;
    o.endpoints = cluster_->endpoints();
    client_ = std::make_unique<etcd::Client>(o);
  }
  // The guard: no worker outlives the scenario, whatever happened.
  ~Scenario() {
    for (auto& w : workers_) {
      if (w.proc && !w.exit) {
        w.proc->signal(SIGCONT);
        w.proc->signal(SIGKILL);
        (void)w.proc->wait_for(5s);
      }
    }
  }

  void start(int i) {
    Worker& w = workers_[static_cast<size_t>(i)];
    const int n = w.starts++;
    const std::string trace = fmt::format("{}/trace-w{}-{}.log", dir_.path(), i + 1, n);
    w.log = fmt::format("{}/w{}-{}.log", dir_.path(), i + 1, n);
    traces_.push_back(trace);
    std::string cmd = fmt::format(
        "exec /usr/bin/setpriv --pdeathsig KILL -- '{}/gossip-worker' --endpoints {} --worker-id {} --prefix '{}' "
        "--corpus-seed {} --items {} --roots {} --lease-ms {} --claim-cooldown-ms {} --page-max 100 --split-min-items "
        "150 "
        "--etcd-timeout-ms 500 --give-up-ms 20000 --incarnation {} --trace '{}' 2>'{}'",
        SQUALL_BINARY_DIR, endpoints_, i + 1, prefix_, kCorpusSeed, kItems, kRoots, case_.lease_ms, kClaimCooldownMs,
        100 * (i + 1) + n, trace, w.log);
    if (case_.fault) cmd += fmt::format(" --fault {}", worker::fault_name(*case_.fault));
    w.proc.emplace(squall::testing::Subprocess::start(
        {"/bin/sh", "-c", cmd},
        {squall::testing::Stream::kNull, squall::testing::Stream::kNull, squall::testing::Stream::kNull}));
    w.exit.reset();
  }

  // Items in the done-ledger so far (0 when etcd does not answer).
  int64_t progress() {
    const std::string p = etcd_store::done_prefix(prefix_, 1);
    auto r = client_->range(etcd::RangeRequest{p, etcd::prefix_end(p), 0, 0, true});
    return r.ok() ? r->count : 0;
  }

  // True once no item was done for kStall (a faulty run that lost its liveness ends
  // there instead of at the deadline).
  bool stalled() {
    const int64_t p = progress();
    if (p != last_progress_) {
      last_progress_ = p;
      last_change_ = Clock::now();
    }
    return Clock::now() - last_change_ > kStall;
  }

  // Waits until `items` are done, or every worker exited, or the run stalled or hit
  // the deadline.
  void wait_progress(int64_t items) {
    while (Clock::now() < deadline_ && progress() < items && any_running() && !stalled())
      std::this_thread::sleep_for(20ms);
  }

  template <class W>
  static int grants_logged(const W& w) {
    std::ifstream in(w.log);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) n += line.find("lease granted") != std::string::npos;
    return n;
  }
  // Waits (at most 3 s) until the worker logs a lease grant it had not logged before.
  template <class W>
  void wait_for_new_grant(const W& w) {
    const int before = grants_logged(w);
    const auto until = Clock::now() + 3s;
    while (Clock::now() < until && grants_logged(w) == before) std::this_thread::sleep_for(2ms);
    mark(grants_logged(w) > before ? "pause-holding" : "pause-no-grant-seen");
  }

  bool any_running() {
    bool any = false;
    for (auto& w : workers_) {
      if (w.proc && !w.exit) w.exit = w.proc->wait_for(0ms);
      any |= w.proc && !w.exit;
    }
    return any;
  }

  // What happened when, for the test's output (tuning the scenario's duration).
  void mark(const char* what) {
    phases_ += fmt::format(" {} {:.1f}s", what, std::chrono::duration<double>(Clock::now() - t0_).count());
  }
  const std::string& phases() const { return phases_; }

  void run() {
    t0_ = last_change_ = Clock::now();
    deadline_ = Clock::now() + kRunDeadline;
    for (int i = 0; i < kWorkers; ++i) start(i);
    // A worker dies mid-run and comes back as a new incarnation.
    wait_progress(kItems / 4);
    Worker& killed = workers_[1];
    if (killed.proc && !killed.exit) {
      killed.proc->signal(SIGKILL);
      killed.exit = killed.proc->wait_for(5s);
      killed_ = true;
      start(1);
      mark("worker-killed");
    }
    // A worker stalls for longer than a lease (a long GC pause, a stopped VM), then goes on.
    // Early enough that most of the corpus is still to do when it wakes: the lease
    // controls show only in what the woken worker does while others still work (with a
    // third left, the others often finished everything during the pause).
    wait_progress(kItems / 3);
    Worker& paused = workers_[2];
    if (paused.proc && !paused.exit) {
      // Stopped right after it was granted a lease, so the pause outlasts a lease it
      // holds: the lease negative controls then have something to misuse on every run
      // (a worker stopped between leases would make their detection a matter of luck).
      wait_for_new_grant(paused);
      paused.proc->signal(SIGSTOP);
      std::this_thread::sleep_for(std::chrono::milliseconds(case_.lease_ms + 600));
      paused.proc->signal(SIGCONT);
      mark("worker-resumed");
    }
    // The etcd member every worker tries first dies and comes back.
    wait_progress(kItems / 2);
    cluster_->kill(0);
    std::this_thread::sleep_for(300ms);
    std::string error;
    EXPECT_TRUE(cluster_->restart(0, &error)) << error;
    mark("member-restarted");
    while (Clock::now() < deadline_ && any_running() && !stalled()) std::this_thread::sleep_for(20ms);
    mark("done");
    for (auto& w : workers_) {
      if (w.proc && !w.exit) {
        finished_ = false;
        w.proc->signal(SIGKILL);
        w.exit = w.proc->wait_for(5s);
      }
    }
  }

  AuditResult audit() {
    AuditInput in;
    in.prefix = prefix_;
    in.lease_ms = case_.lease_ms;
    in.claim_cooldown_ms = kClaimCooldownMs;
    worker::Corpus corpus(kCorpusSeed, kItems);
    in.corpus = &corpus;
    in.trace_files = traces_;
    AuditResult r = audit_run(client_.get(), in);
    if (!finished_) r.reasons["DidNotFinish"].push_back("workers still running at the deadline were killed");
    return r;
  }

  // Each worker process that was not killed by the test exited 0.
  void expect_clean_exits() {
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = workers_[i];
      ASSERT_TRUE(w.exit.has_value());
      EXPECT_TRUE(WIFEXITED(*w.exit) && WEXITSTATUS(*w.exit) == 0)
          << "worker " << i + 1 << " ended with status " << *w.exit << "; its log:\n"
          << tail(w.log);
    }
  }

  bool killed() const { return killed_; }
  std::vector<pid_t> pids() const {
    std::vector<pid_t> p;
    for (const auto& w : workers_) p.push_back(w.proc ? w.proc->pid() : -1);
    return p;
  }

 private:
  struct Worker {
    std::optional<squall::testing::Subprocess> proc;
    std::optional<int> exit;
    std::string log;
    int starts = 0;
  };
  static std::string tail(const std::string& path) {
    auto r = squall::testing::run_shell("tail -n 20 '" + path + "'");
    return r.out;
  }

  etcd::testing::LocalCluster* cluster_;
  Case case_;
  TempDir dir_;
  std::string prefix_;
  std::string endpoints_;
  std::unique_ptr<etcd::Client> client_;
  std::array<Worker, kWorkers> workers_;
  std::vector<std::string> traces_;
  Clock::time_point deadline_;
  Clock::time_point t0_;
  Clock::time_point last_change_;
  int64_t last_progress_ = -1;
  std::string phases_;
  bool killed_ = false;
  bool finished_ = true;
};

// The audit tags of the two invariants the lease faults break (sim::to_string's names).
const char* const kConduct = sim::to_string(sim::Invariant::WorkerConduct);
const char* const kMutualExclusion = sim::to_string(sim::Invariant::S1MutualExclusion);

class GossipWorkerEndToEnd : public ::testing::TestWithParam<Case> {};

TEST_P(GossipWorkerEndToEnd, RunOnEtcdWithCrashesAndFailover) {
  const Case& c = GetParam();
  std::string error;
  etcd::testing::LocalCluster* cluster = etcd::testing::shared_cluster(&error);
  if (cluster == nullptr) GTEST_SKIP() << "etcd is not available: " << error;
  std::vector<pid_t> pids;
  // A lease fault shows only when its worker happens to hold or chase a lease at the
  // wrong moment (a collision of timing on a real clock), so a negative control gets
  // several runs to show it; the honest run gets one, and must be clean.
  // ignore-live-lease shows in about half of the runs (its worker must ask for a shard
  // whose lease another worker still holds), and so does skip-fence-check (another
  // worker must have taken the paused worker's shard, and not yet finished it, when it
  // wakes: CI once missed it three runs in a row), hence five runs for both: missed by
  // all five about one time in 32, and CI runs a failed test once more.
  const bool coin_flip = c.fault == worker::Fault::IgnoreLiveLease || c.fault == worker::Fault::SkipFenceCheck;
  const int attempts = !c.fault ? 1 : coin_flip ? 5 : 3;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    Scenario s(cluster, c, attempt);
    const auto t0 = Clock::now();
    s.run();
    const AuditResult r = s.audit();
    const auto secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::cout << c.name << " run " << attempt << " (" << secs << " s;" << s.phases() << "): " << r.summary() << "\n";
    EXPECT_TRUE(s.killed()) << "the run ended before a worker could be killed";
    if (!c.fault) {
      EXPECT_TRUE(r.reasons.empty()) << r.summary();
      EXPECT_GT(r.splits, 0u) << "the run should split shards";
      EXPECT_EQ(r.done_items, kItems);
      s.expect_clean_exits();
    } else if (r.tags().count(c.reason) == 1 || attempt == attempts) {
      EXPECT_EQ(r.tags().count(c.reason), 1u)
          << c.name << " should fail for " << c.reason << " within " << attempts << " runs; got:\n"
          << r.summary();
      attempt = attempts;  // caught (or out of runs): done
    }
    for (pid_t p : s.pids()) pids.push_back(p);
  }
  for (pid_t p : pids) EXPECT_TRUE(p <= 0 || etcd::testing::process_gone(p)) << "worker " << p << " left behind";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, GossipWorkerEndToEnd,
    ::testing::Values(Case{"honest", std::nullopt, ""},
                      Case{"skip_fence_check", worker::Fault::SkipFenceCheck, kConduct},
                      Case{"ignore_live_lease", worker::Fault::IgnoreLiveLease, kMutualExclusion},
                      Case{"checkpoint_before_findings", worker::Fault::CheckpointBeforeFindings, "MissingFinding"},
                      Case{"non_idempotent_findings", worker::Fault::NonIdempotentFindings, "DuplicateFinding"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// Registered once: stops the shared cluster at the end and fails on leftovers.
[[maybe_unused]] auto* const kEnv = ::testing::AddGlobalTestEnvironment(new etcd::testing::SharedClusterEnvironment);

}  // namespace
}  // namespace squall::gossip_worker_test
