#include "core/testing/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace squall::testing {
namespace {

using std::chrono::milliseconds;

TEST(Subprocess, RunCapturesStdoutStderrAndExitCode) {
  Completed c = run_shell("echo out; echo err >&2; exit 3");
  EXPECT_EQ(c.out, "out\n");
  EXPECT_EQ(c.err, "err\n");
  EXPECT_TRUE(c.exited());
  EXPECT_EQ(c.exit_code(), 3);
  EXPECT_FALSE(c.signaled());
}

TEST(Subprocess, StderrCanJoinStdout) {
  Completed c = run_shell("echo a; echo b >&2; echo c", {.in = Stream::kNull, .err = Stream::kToStdout});
  EXPECT_EQ(c.out, "a\nb\nc\n");
  EXPECT_EQ(c.err, "");
}

TEST(Subprocess, InputGoesToStdinAndOutputLargerThanAPipeComesBack) {
  const std::string input(300'000, 'x');  // several pipe buffers each way
  Completed c = run({"/bin/cat"}, input);
  EXPECT_EQ(c.exit_code(), 0);
  EXPECT_EQ(c.out, input);
}

TEST(Subprocess, AChildThatIgnoresItsInputDoesNotKillTheTest) {
  Completed c = run({"/bin/true"}, std::string(1'000'000, 'x'));
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Subprocess, MissingProgramExits127) {
  Completed c = run({"/nonexistent/program"});
  EXPECT_EQ(c.exit_code(), 127);
}

TEST(Subprocess, ForkedFunctionReportsItsResultAndOutput) {
  Subprocess p = Subprocess::fork([] {
    (void)::write(1, "hi\n", 3);
    return 7;
  });
  Completed c = p.communicate();
  EXPECT_EQ(c.out, "hi\n");
  EXPECT_EQ(c.exit_code(), 7);
}

TEST(Subprocess, ForkedFunctionReadsItsInputToTheEnd) {
  // The child inherits every descriptor of the test; holding its own stdin's write end
  // would keep it waiting for more input forever.
  Subprocess p = Subprocess::fork([] {
    size_t total = 0;
    char buf[256];
    for (ssize_t n; (n = ::read(0, buf, sizeof buf)) > 0;) total += static_cast<size_t>(n);
    std::string reply = std::to_string(total);
    return ::write(1, reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()) ? 0 : 1;
  });
  Completed c = p.communicate("abc");
  EXPECT_EQ(c.out, "3");
  EXPECT_EQ(c.exit_code(), 0);
}

TEST(Subprocess, LinesTimeOutSignalsAndBoundedWaits) {
  Subprocess p = Subprocess::start({"/bin/sh", "-c", "echo ready; exec sleep 30"}, {.in = Stream::kNull});
  EXPECT_EQ(p.read_line(milliseconds(10'000)), "ready");
  EXPECT_EQ(p.read_line(milliseconds(50)), std::nullopt);  // nothing more yet
  EXPECT_EQ(p.wait_for(milliseconds(50)), std::nullopt);   // still running
  p.signal(SIGTERM);
  std::optional<int> status = p.wait_for(milliseconds(10'000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
}

TEST(Subprocess, InteractiveLinesBothWays) {
  Subprocess p = Subprocess::start({"/bin/cat"});
  ASSERT_TRUE(p.write("one\ntwo\n"));
  EXPECT_EQ(p.read_line(milliseconds(10'000)), "one");
  EXPECT_EQ(p.read_line(milliseconds(10'000)), "two");
  p.close_stdin();
  EXPECT_EQ(p.read_line(milliseconds(10'000)), std::nullopt);  // end of output
  std::optional<int> status = p.wait_for(milliseconds(10'000));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(Subprocess, CommunicateKeepsStdinOpenForTheLinger) {
  // cat ends only at the end of its input, so nothing returns before the linger.
  auto start = std::chrono::steady_clock::now();
  Completed c = Subprocess::start({"/bin/cat"}).communicate("x", milliseconds(300));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(300));
  EXPECT_EQ(c.out, "x");
}

TEST(Subprocess, WaitReportsTheChildsResourceUsage) {
  // The child touches 64 MiB; its peak resident size must show in the usage the wait
  // returns (tests bound a program's memory this way).
  Subprocess p = Subprocess::fork(
      [] {
        std::vector<char> block(64u << 20);
        for (size_t i = 0; i < block.size(); i += 4096) block[i] = 1;
        return block[4096] == 1 ? 0 : 1;
      },
      {.in = Stream::kNull});
  struct rusage ru {};
  std::optional<int> status = p.wait_for(milliseconds(10'000), &ru);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_GE(ru.ru_maxrss, 64 * 1024) << "KiB";
}

TEST(Subprocess, DestructorKillsAChildThatWouldRunOn) {
  pid_t pid;
  {
    Subprocess p = Subprocess::start({"/bin/sleep", "30"}, {.in = Stream::kNull});
    pid = p.pid();
    ASSERT_GT(pid, 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // reaped: no such process any more
}

}  // namespace
}  // namespace squall::testing
