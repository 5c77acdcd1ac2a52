#include "harness/process.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "core/testing/subprocess.h"

namespace squall::harness {
namespace {

// Reads lines until `want` arrived or stdout closed.
std::vector<std::string> read_until(NodeProcess& p, size_t want, bool* eof) {
  std::vector<std::string> lines;
  *eof = false;
  for (int i = 0; i < 200 && lines.size() < want && !*eof; ++i) {
    pollfd pfd{p.stdout_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
    *eof = !p.read_stdout([&](std::string_view l) { lines.emplace_back(l); }, [](size_t) {});
  }
  return lines;
}

TEST(Process, EchoesLinesThroughCat) {
  auto p = NodeProcess::spawn({"n0", "/bin/cat", {}, squall::testing::temp_log_path("cat"), false});
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_TRUE((*p)->send_line("hello").ok());
  ASSERT_TRUE((*p)->send_line(std::string(100000, 'x')).ok());
  bool eof;
  auto lines = read_until(**p, 2, &eof);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "hello");
  EXPECT_EQ(lines[1].size(), 100000u);
  (*p)->kill_and_reap();
  EXPECT_TRUE((*p)->exited());
}

TEST(Process, MissingBinaryIsAClearError) {
  auto p = NodeProcess::spawn({"n0", "/nonexistent/node", {}, squall::testing::temp_log_path("missing"), false});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("cannot execute node binary '/nonexistent/node'"), std::string::npos);
}

TEST(Process, ReportsExitStatusAndStderrTail) {
  auto p = NodeProcess::spawn({"n1",
                               "/bin/sh",
                               {"-c", "echo first >&2; echo boom >&2; echo out; exit 3"},
                               squall::testing::temp_log_path("sh"),
                               false});
  ASSERT_TRUE(p.ok()) << p.error();
  bool eof;
  auto lines = read_until(**p, 5, &eof);
  EXPECT_TRUE(eof);
  ASSERT_EQ(lines.size(), 1u);
  std::optional<int> st;
  for (int i = 0; i < 100 && !st; ++i) {
    st = (*p)->try_reap();
    if (!st) ::usleep(10000);
  }
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(NodeProcess::describe_status(*st), "exit status 3");
  auto tail = (*p)->last_stderr_lines(1);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0], "boom");
}

TEST(Process, KillTakesTheWholeGroup) {
  auto p = NodeProcess::spawn(
      {"n2", "/bin/sh", {"-c", "sleep 30 & sleep 30"}, squall::testing::temp_log_path("grp"), false});
  ASSERT_TRUE(p.ok());
  pid_t pgid = (*p)->pid();
  ::usleep(50000);
  (*p)->kill_and_reap();
  ::usleep(50000);
  // Killed grandchildren may linger as zombies until init reaps them; none may run.
  int running = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    long ppid, pgrp;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z') ++running;
  }
  EXPECT_EQ(running, 0) << "no process of the node's group may survive";
}

TEST(Process, StdinBudgetIsSharedByAllNodes) {
  // Three queued MiB are the whole run's allowance, not each node's.
  StdinBudget budget;
  budget.limit = 3u << 20;
  NodeProcess::Options a{"n0", "/bin/sleep", {"30"}, squall::testing::temp_log_path("budget-a"), false};
  NodeProcess::Options b{"n1", "/bin/sleep", {"30"}, squall::testing::temp_log_path("budget-b"), false};
  a.stdin_budget = &budget;
  b.stdin_budget = &budget;
  auto pa = NodeProcess::spawn(a);
  auto pb = NodeProcess::spawn(b);
  ASSERT_TRUE(pa.ok() && pb.ok());
  const std::string mib(1u << 20, 'x');
  ASSERT_TRUE((*pa)->queue_line(mib).ok());
  ASSERT_TRUE((*pa)->queue_line(mib).ok());
  EXPECT_EQ(budget.queued, 2 * mib.size() + 2);
  Status refused = (*pb)->queue_line(mib);
  ASSERT_FALSE(refused.ok()) << "n1 alone is under any per-node limit; the run is not";
  EXPECT_NE(refused.error().find("n1 is not reading its stdin (2 MiB queued for all nodes"), std::string::npos)
      << refused.error();
  // What a node had queued is given back when it dies.
  (*pa)->kill_and_reap();
  EXPECT_EQ(budget.queued, 0u);
  EXPECT_TRUE((*pb)->queue_line(mib).ok());
  // Bytes the pipe accepted are no longer charged.
  ASSERT_TRUE((*pb)->flush().ok());
  EXPECT_LT(budget.queued, mib.size());
}

TEST(Process, CrashTailOfAHugeStderrCostsNoMemory) {
  // 200 MB of stderr in one line, then the line that matters; the log is capped at 1 MiB.
  NodeProcess::Options o{"n3",
                         "/bin/sh",
                         {"-c", "head -c 200000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo boom >&2; exit 3"},
                         squall::testing::temp_log_path("flood"),
                         false};
  o.log_limit = 1u << 20;
  auto p = NodeProcess::spawn(o);
  ASSERT_TRUE(p.ok()) << p.error();
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  bool open = true;
  for (int i = 0; i < 20000 && open; ++i) {
    pollfd pfd{(*p)->stderr_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
    open = (*p)->read_stderr([](std::string_view) {});
  }
  ASSERT_FALSE(open);
  std::optional<int> st;
  for (int i = 0; i < 200 && !st; ++i) {
    st = (*p)->try_reap();
    if (!st) ::usleep(10000);
  }
  ASSERT_TRUE(st.has_value());
  auto tail = (*p)->last_stderr_lines(1);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0], "boom");
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 32 * 1024) << "KiB of peak RSS grown while reading the flood";
  (*p)->close_log();
  EXPECT_LE(std::filesystem::file_size(o.stderr_path), (1u << 20) + 200);
  EXPECT_EQ((*p)->log().total_bytes(), 200000000u + 6);
}

TEST(Process, NodeDiesWithTheProcessThatStartedIt) {
  // A node that ignores stdin EOF and SIGTERM, started by a short-lived parent killed
  // with SIGKILL: the parent-death signal takes it down.
  // The parent writes its node's pid as a line, then waits to be killed.
  testing::Subprocess parent = testing::Subprocess::fork(
      [] {
        auto p = NodeProcess::spawn({"n4",
                                     "/bin/sh",
                                     {"-c", "trap '' TERM HUP INT; while :; do sleep 1; done"},
                                     squall::testing::temp_log_path("pdeath"),
                                     false});
        std::string line = std::to_string(p.ok() ? (*p)->pid() : -1) + "\n";
        ssize_t w = ::write(1, line.data(), line.size());
        (void)w;
        while (true) ::pause();
        return 0;
      },
      {.in = testing::Stream::kNull, .err = testing::Stream::kInherit});
  std::optional<std::string> line = parent.read_line(std::chrono::seconds(10));
  parent.signal(SIGKILL);
  (void)parent.wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(line.has_value());
  pid_t node = static_cast<pid_t>(std::stol(*line));
  ASSERT_GT(node, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    // Orphaned, it is reaped by init (or a subreaper); until then it is a zombie.
    std::ifstream stat("/proc/" + std::to_string(node) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line[line.rfind(')') + 2] == 'Z';
    if (!gone) ::usleep(20000);
  }
  if (!gone) ::kill(-node, SIGKILL);
  EXPECT_TRUE(gone) << "the node outlived the process that started it";
}

}  // namespace
}  // namespace squall::harness
