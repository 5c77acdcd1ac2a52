// End-to-end tests of the life of `squall test` and its nodes: no process outlives a
// run (even one killed with SIGKILL), memory and node logs stay bounded whatever a node
// writes, nodes that stop early are reported at once, and signals and a failed exec
// leave a readable record. Each test drives the built squall binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/squall_run.h"

namespace {

namespace fs = std::filesystem;
using squall::testing::contains;
using squall::testing::kSquall;
using squall::testing::RunResult;
using squall::testing::slurp;
using squall::testing::Stream;
using squall::testing::Subprocess;
using squall::testing::verdict_is;

const std::string kNodes = squall::testing::kSource + "/tests/harness/nodes";

RunResult squall_test(const std::string& name, const std::string& args) {
  return squall::testing::squall_test("lifecycle", name, args);
}

std::string unique_marker(const std::string& what) { return "squall-" + what + "-" + std::to_string(::getpid()); }

// Live (non-zombie) processes whose command line contains `marker`.
std::vector<pid_t> processes_with(const std::string& marker) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::string cmd = slurp(entry.path() / "cmdline");
    if (cmd.find(marker) == std::string::npos) continue;
    std::string stat = slurp(entry.path() / "stat");
    auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
    found.push_back(pid);
  }
  return found;
}

// Waits up to `seconds` for every process carrying `marker` to go; kills what is left
// (so a failing test does not leak processes) and returns how many there were.
size_t survivors_after(const std::string& marker, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  std::vector<pid_t> left = processes_with(marker);
  while (!left.empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = processes_with(marker);
  }
  for (pid_t pid : left) ::kill(pid, SIGKILL);
  return left.size();
}

// Starts `squall test --store <store> <args...>` in the background, output discarded.
Subprocess start_squall(const std::string& store, std::vector<std::string> args) {
  args.insert(args.begin(), {kSquall, "test", "--store", store});
  return Subprocess::start(args, {.in = Stream::kInherit, .out = Stream::kNull, .err = Stream::kNull});
}

// Waits until the run's jepsen.log contains `text` (up to `seconds`).
bool log_shows(const std::string& store, const std::string& text, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (contains(slurp(fs::path(store) / "latest" / "jepsen.log"), text)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits for `squall` up to `seconds`; SIGKILLs it if it is still there. The wait status,
// or -1 if it had to be killed.
int wait_or_kill(Subprocess& squall, double seconds, rusage* ru = nullptr) {
  std::optional<int> st = squall.wait_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)), ru);
  if (st) return *st;
  squall.signal(SIGKILL);
  (void)squall.wait_for(std::chrono::seconds(10), ru);
  return -1;
}

// ---- orphans ------------------------------------------------------------------------

TEST(Lifecycle, NormalRunLeavesNoProcessAndReportsTheLeftovers) {
  std::string marker = unique_marker("normal");
  RunResult r = squall_test("orphans-normal",
                            "-w echo --bin " + kNodes + "/stubborn.py --node-count 2 --time-limit 1 -- " + marker);
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_EQ(survivors_after(marker, 2), 0u) << "a node or its setsid child outlived the run";
  // Each node's detached child was still running when its node was stopped.
  EXPECT_TRUE(contains(r.out, "Leftover processes: 2 still running")) << r.out;
  EXPECT_TRUE(contains(slurp(r.run_dir() / "jepsen.log"), "left running by the nodes"));
  EXPECT_TRUE(contains(r.results_edn(), ":leftover-processes [{:pid "));
}

TEST(Lifecycle, SigkilledSquallLeavesNoProcess) {
  std::string marker = unique_marker("sigkill");
  std::string store = squall::testing::fresh_store("lifecycle", "orphans-sigkill");
  Subprocess squall = start_squall(
      store, {"-w", "echo", "--bin", kNodes + "/stubborn.py", "--node-count", "2", "--time-limit", "60", "--", marker});
  ASSERT_TRUE(squall.started());
  ASSERT_TRUE(log_shows(store, "main phase", 30)) << slurp(fs::path(store) / "latest" / "jepsen.log");
  // squall and its watchdog carry the marker in their argv too.
  ASSERT_GE(processes_with(marker).size(), 4u) << "two nodes and their two detached children";
  squall.signal(SIGKILL);
  int st = wait_or_kill(squall, 5);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(survivors_after(marker, 5), 0u) << "nodes must not outlive a squall killed with SIGKILL";
}

TEST(Lifecycle, SighupWritesTheResultsLikeSigint) {
  std::string marker = unique_marker("sighup");
  std::string store = squall::testing::fresh_store("lifecycle", "sighup");
  Subprocess squall = start_squall(store, {"-w", "echo", "--bin", kNodes + "/stubborn.py", "--node-count", "1",
                                           "--time-limit", "60", "--rate", "50", "--", marker});
  ASSERT_TRUE(log_shows(store, "main phase", 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  squall.signal(SIGHUP);
  int st = wait_or_kill(squall, 10);
  ASSERT_TRUE(WIFEXITED(st)) << "squall must exit by itself after SIGHUP";
  EXPECT_EQ(WEXITSTATUS(st), 2);
  fs::path dir = fs::path(store) / "latest";
  EXPECT_TRUE(contains(slurp(dir / "results.edn"), ":interrupted true"));
  EXPECT_TRUE(contains(slurp(dir / "report.txt"), "(interrupted)"));
  EXPECT_TRUE(contains(slurp(dir / "jepsen.log"), "received SIGHUP"));
  EXPECT_TRUE(contains(slurp(dir / "history.edn"), ":f :echo"));
  EXPECT_EQ(survivors_after(marker, 2), 0u);
}

// ---- memory and logs ----------------------------------------------------------------

TEST(Lifecycle, StderrFloodKeepsMemoryAndTheLogBounded) {
  std::string store = squall::testing::fresh_store("lifecycle", "stderr-flood");
  // 150 MB in one line, then the line that explains the crash.
  Subprocess squall = start_squall(store, {"-w", "echo", "--bin", kNodes + "/stderr_flood.sh", "--node-count", "1",
                                           "--time-limit", "1", "--", "150"});
  rusage ru{};
  int st = wait_or_kill(squall, 120, &ru);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 1);
  // ru_maxrss (KiB) covers squall and the node processes it reaped, all small here; the
  // flood itself must never be held in memory.
  EXPECT_LT(ru.ru_maxrss, 80 * 1024) << "peak RSS " << ru.ru_maxrss << " KiB";
  fs::path dir = fs::path(store) / "latest";
  uintmax_t size = fs::file_size(dir / "node-logs" / "n0.log");
  EXPECT_LE(size, (uintmax_t{64} << 20) + 1024);
  EXPECT_GE(size, uintmax_t{48} << 20) << "the head and the tail are both kept";
  EXPECT_FALSE(fs::exists(dir / "node-logs" / "n0.log.tail-a"));
  std::string report = slurp(dir / "report.txt");
  EXPECT_TRUE(contains(report, "stderr: fatal: flood over")) << report;
  EXPECT_TRUE(contains(report, "exit status 3")) << report;
  // The notice sits between the head and the tail, and says how much is missing.
  std::ifstream log(dir / "node-logs" / "n0.log");
  log.seekg(32 << 20);
  std::string middle(1 << 10, '\0');
  log.read(middle.data(), static_cast<std::streamsize>(middle.size()));
  EXPECT_TRUE(contains(middle, "bytes of this node's stderr were cut here")) << middle.substr(0, 300);
}

// ---- nodes that stop early ----------------------------------------------------------

TEST(Lifecycle, NodeThatExitsAtOnceFailsFastWithItsStatusAndStderr) {
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = squall_test("exits-at-once",
                            "-w echo --bin /bin/sh --node-count 2 --time-limit 5 -- -c "
                            "'echo fatal: config missing >&2; exit 3'");
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_LT(took, 5.0) << "neither the 10 s init wait nor the main phase is owed to dead nodes";
  EXPECT_TRUE(contains(r.out, "n0 stopped at")) << r.out;
  EXPECT_TRUE(contains(r.out, "before answering init (exit status 3)")) << r.out;
  EXPECT_TRUE(contains(r.out, "stderr: fatal: config missing")) << r.out;
  EXPECT_FALSE(contains(r.out, "did not answer init within")) << r.out;
}

TEST(Lifecycle, NodeThatClosesStdoutIsReportedWhenItHappens) {
  RunResult r =
      squall_test("closes-stdout", "-w echo --bin " + kNodes + "/quits_stdout.py --node-count 1 --time-limit 3");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_TRUE(contains(r.out, "closed its stdout at ")) << r.out;
  std::string log = slurp(r.run_dir() / "jepsen.log");
  size_t reported = log.find("closed its stdout at ");
  size_t main_over = log.find("main phase over");
  ASSERT_NE(reported, std::string::npos) << log;
  ASSERT_NE(main_over, std::string::npos) << log;
  EXPECT_LT(reported, main_over) << "reported during the main phase, not at the end:\n" << log;
}

TEST(Lifecycle, InterruptDuringInitIsNotATimeout) {
  std::string store = squall::testing::fresh_store("lifecycle", "init-interrupt");
  // sleep never reads its stdin, so init is never answered.
  Subprocess squall = start_squall(store, {"-w", "echo", "--bin", "/bin/sleep", "--node-count", "2", "--", "60"});
  ASSERT_TRUE(log_shows(store, "starting 2 nodes", 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  squall.signal(SIGINT);
  int st = wait_or_kill(squall, 20);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 2);
  EXPECT_LT(took, 5.0);
  fs::path dir = fs::path(store) / "latest";
  std::string log = slurp(dir / "jepsen.log");
  EXPECT_TRUE(contains(log, "interrupted during init at ")) << log;
  EXPECT_TRUE(contains(log, "n0, n1 had not answered init yet")) << log;
  EXPECT_FALSE(contains(log, "did not answer init within")) << log;
  EXPECT_TRUE(contains(slurp(dir / "report.txt"), "Result: UNKNOWN (interrupted)"));
}

TEST(Lifecycle, FailedExecSaysWhyInTheRunDirectory) {
  RunResult r =
      squall_test("failed-exec", "-w echo --bin " + kNodes + "/bad_interpreter --node-count 1 --time-limit 1");
  EXPECT_EQ(r.exit_code, 254);
  const std::string why = "its interpreter '/nonexistent/interpreter' (from the #! line) does not exist";
  EXPECT_TRUE(contains(r.err, why)) << r.err;
  // `latest` points at the run; its log and report say why it is empty.
  EXPECT_TRUE(contains(slurp(r.run_dir() / "jepsen.log"), "the run did not start: cannot execute node binary"))
      << slurp(r.run_dir() / "jepsen.log");
  EXPECT_TRUE(contains(slurp(r.run_dir() / "jepsen.log"), why));
  EXPECT_TRUE(contains(slurp(r.run_dir() / "report.txt"), why));
}

}  // namespace
