#include "harness/process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace squall::harness {
namespace {

std::string log_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string(name) + std::to_string(::getpid()) + ".log")).string();
}

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
  auto p = NodeProcess::spawn({"n0", "/bin/cat", {}, log_path("cat"), false});
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
  auto p = NodeProcess::spawn({"n0", "/nonexistent/node", {}, log_path("missing"), false});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("cannot execute node binary '/nonexistent/node'"), std::string::npos);
}

TEST(Process, ReportsExitStatusAndStderrTail) {
  auto p = NodeProcess::spawn(
      {"n1", "/bin/sh", {"-c", "echo first >&2; echo boom >&2; echo out; exit 3"}, log_path("sh"), false});
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
  auto p = NodeProcess::spawn({"n2", "/bin/sh", {"-c", "sleep 30 & sleep 30"}, log_path("grp"), false});
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

}  // namespace
}  // namespace squall::harness
