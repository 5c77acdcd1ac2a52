#include "harness/descendant_guard.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/testing/subprocess.h"
#include "harness/process.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;

// Live processes whose command line contains `marker`.
int running_with(const std::string& marker) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream cmd(entry.path() / "cmdline");
    std::stringstream ss;
    ss << cmd.rdbuf();
    if (ss.str().find(marker) == std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z') ++n;
  }
  return n;
}

int wait_until_none(const std::string& marker, int ms) {
  int n = running_with(marker);
  for (int i = 0; i < ms / 20 && n > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    n = running_with(marker);
  }
  return n;
}

// A node (`sh -c ... <marker>`) whose child leaves its process group and session
// (`sh -c ... <marker>-detached`, with a sleep of its own): killing the node's group
// does not reach it. The trailing `:` keeps each shell from exec'ing its sleep, so the
// marker stays in a live command line.
NodeProcess::Options detaching_node(const std::string& marker, const DescendantGuard& guard) {
  NodeProcess::Options o;
  o.name = "n0";
  o.bin = "/bin/sh";
  o.args = {"-c", "setsid sh -c 'sleep 300; :' \"$0-detached\" & sleep 301; :", marker};
  o.stderr_path = squall::testing::temp_log_path("guard-node");
  o.env = {guard.marker_env()};
  return o;
}

TEST(DescendantGuard, KillAllFindsWhatTheNodeLeftBehind) {
  // setsid(1) only exists where util-linux does.
  if (::access("/usr/bin/setsid", X_OK) != 0 && ::access("/bin/setsid", X_OK) != 0) GTEST_SKIP() << "no setsid";
  std::string marker = "guard-normal-" + std::to_string(::getpid());
  auto guard = DescendantGuard::create();
  ASSERT_TRUE(guard.ok()) << guard.error();
  auto node = NodeProcess::spawn(detaching_node(marker, **guard));
  ASSERT_TRUE(node.ok()) << node.error();
  (*guard)->track((*node)->pid());
  const std::string detached = marker + "-detached";
  // Wait until the detached shell has settled: while setsid execs it, its command line
  // reads empty for a moment, so one sighting is not enough.
  int settled = 0;
  for (int i = 0; i < 500 && settled < 5; ++i) {
    settled = running_with(detached) == 1 ? settled + 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(running_with(detached), 1);
  (*node)->kill_and_reap();
  (*guard)->forget((*node)->pid());
  EXPECT_EQ(running_with(detached), 1) << "the group kill alone misses the detached child";
  auto left = (*guard)->kill_all();
  // The detached shell, then its sleep (reparented to us once the shell was killed).
  ASSERT_EQ(left.size(), 2u);
  EXPECT_NE(left[0].command.find(detached), std::string::npos) << left[0].command;
  EXPECT_EQ(left[1].command, "sleep 300");
  EXPECT_EQ(wait_until_none(marker, 10000), 0);
}

TEST(DescendantGuard, WatchdogCleansUpAfterASigkilledHarness) {
  if (::access("/usr/bin/setsid", X_OK) != 0 && ::access("/bin/setsid", X_OK) != 0) GTEST_SKIP() << "no setsid";
  std::string marker = "guard-sigkill-" + std::to_string(::getpid());
  // The "harness": starts a node that detaches a child, says so on a line, and waits to
  // be killed.
  testing::Subprocess harness = testing::Subprocess::fork(
      [&marker] {
        auto guard = DescendantGuard::create();
        if (!guard.ok()) return 2;
        auto node = NodeProcess::spawn(detaching_node(marker, **guard));
        if (!node.ok()) return 3;
        (*guard)->track((*node)->pid());
        for (int i = 0; i < 500 && running_with(marker + "-detached") < 1; ++i) ::usleep(20000);
        ssize_t w = ::write(1, "x\n", 2);
        (void)w;
        while (true) ::pause();
        return 0;
      },
      {.in = testing::Stream::kNull, .err = testing::Stream::kInherit});
  bool started = harness.read_line(std::chrono::seconds(10)) == "x";
  // Briefly a third process carries the marker (the shell's fork before it execs setsid,
  // and setsid's own fork); wait for the two that stay.
  int before = running_with(marker);
  for (int i = 0; i < 500 && before != 2; ++i) {
    ::usleep(20000);
    before = running_with(marker);
  }
  // Killed on every path: a paused harness left behind would hold the test's stdout.
  harness.signal(SIGKILL);
  (void)harness.wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(started);
  ASSERT_EQ(before, 2) << "the node and its detached child";
  int left = wait_until_none(marker, 10000);
  EXPECT_EQ(left, 0) << "the node and its detached child must die with the harness";
  if (left > 0) (void)testing::run_shell("pkill -KILL -f '" + marker + "'");
}

}  // namespace
}  // namespace squall::harness
