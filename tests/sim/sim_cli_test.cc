// Runs the squall binary: `squall sim` exit codes, byte-identical reports for one seed,
// and replay commands that reproduce the same violation.
#include <gtest/gtest.h>

#include <string>

#include "core/testing/subprocess.h"

namespace {

// What `squall <args>` printed (stdout and stderr together) and its exit code.
struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun squall(const std::string& args) {
  using squall::testing::Stream;
  squall::testing::Completed c =
      squall::testing::run_shell(std::string(SQUALL_BIN) + " " + args, {.in = Stream::kNull, .err = Stream::kToStdout});
  return CliRun{c.exit_code(), c.out};
}

// The report without its wall-clock block, which legitimately varies.
std::string deterministic_part(const std::string& out) {
  auto pos = out.find("\nTiming (wall clock");
  return pos == std::string::npos ? out : out.substr(0, pos);
}

std::string line_starting(const std::string& out, const std::string& prefix) {
  auto pos = out.find(prefix);
  if (pos == std::string::npos) return "";
  auto end = out.find('\n', pos);
  return out.substr(pos, end - pos);
}

TEST(SimCli, SameSeedPrintsIdenticalReportAndTrace) {
  CliRun a = squall("sim --level 3 --seed 11");
  CliRun b = squall("sim --level 3 --seed 11");
  ASSERT_EQ(a.exit_code, 0) << a.out;
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_NE(a.out.find("Trace hash: "), std::string::npos);
  EXPECT_EQ(deterministic_part(a.out), deterministic_part(b.out));
  EXPECT_EQ(line_starting(a.out, "Trace hash: "), line_starting(b.out, "Trace hash: "));
  CliRun c = squall("sim --level 3 --seed 12");
  EXPECT_NE(line_starting(a.out, "Trace hash: "), line_starting(c.out, "Trace hash: "));
}

TEST(SimCli, SweepsPassAtEveryLevel) {
  for (int level = 1; level <= 3; ++level) {
    CliRun r = squall("sim --level " + std::to_string(level) + " --seeds 15");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("Result:           PASS"), std::string::npos);
    EXPECT_NE(r.out.find("Time compression:"), std::string::npos);
    EXPECT_NE(r.out.find("Under-covered operations (< 5): none"), std::string::npos) << r.out;
  }
}

TEST(SimCli, EveryMutationFailsWithAReproducingReplayCommand) {
  CliRun list = squall("sim --list-mutations");
  ASSERT_EQ(list.exit_code, 0);
  size_t start = 0;
  int mutations = 0;
  while (start < list.out.size()) {
    size_t end = list.out.find('\n', start);
    std::string name = list.out.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    ++mutations;
    CliRun r = squall("sim --level 2 --seeds 10 --mutation " + name);
    ASSERT_EQ(r.exit_code, 1) << name << "\n" << r.out;
    EXPECT_NE(r.out.find("VIOLATION"), std::string::npos) << name;  // the trace ends at it
    std::string replay = line_starting(r.out, "Replay: squall ");
    ASSERT_FALSE(replay.empty()) << r.out;
    std::string args = replay.substr(std::string("Replay: squall ").size());
    CliRun again = squall(args);
    EXPECT_EQ(again.exit_code, 1) << name;
    const std::string first = line_starting(r.out, "  t=");  // the first violation line
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first, line_starting(again.out, "  t=")) << name;
    EXPECT_EQ(line_starting(r.out, "Trace hash: "), line_starting(again.out, "Trace hash: ")) << name;
  }
  EXPECT_GE(mutations, 5);
}

TEST(SimCli, BadUsageExits254) {
  EXPECT_EQ(squall("sim --level 4").exit_code, 254);
  EXPECT_EQ(squall("sim --workers 1").exit_code, 254);
  EXPECT_EQ(squall("sim --seeds 0").exit_code, 254);
  EXPECT_EQ(squall("sim --mutation nonsense").exit_code, 254);
  EXPECT_EQ(squall("sim --no-such-flag").exit_code, 254);
  EXPECT_EQ(squall("sim --steps abc").exit_code, 254);
  EXPECT_EQ(squall("sim --trace-out /nonexistent-dir/x --seed 1").exit_code, 254);
  EXPECT_EQ(squall("sim --help").exit_code, 0);
}

}  // namespace

namespace {

// `squall sim -w` without --seed sweeps 100 seeds of a small run, but runs a big one
// (thousands of nodes take seconds to minutes each) once, with seed 1.
TEST(SimWorkloadCli, DefaultSeedsAreASweepForSmallRunsAndOneForBigOnes) {
  const std::string store = ::testing::TempDir() + "/sim-cli-store";
  CliRun small = squall("sim -w echo --node-count 3 --time-limit 1 --store " + store);
  EXPECT_EQ(small.exit_code, 0) << small.out;
  EXPECT_NE(small.out.find("100 seeds (1..100), 100 passed"), std::string::npos) << small.out;
  CliRun big = squall("sim -w echo --node-count 101 --time-limit 1 --store " + store);
  EXPECT_EQ(big.exit_code, 0) << big.out;
  EXPECT_EQ(big.out.find("100 seeds"), std::string::npos) << big.out;
  EXPECT_NE(big.out.find("MAELSTROM REPORT"), std::string::npos) << big.out;
  EXPECT_NE(big.out.find("--node-count 101 "), std::string::npos) << big.out;
  EXPECT_NE(big.out.find("--seed 1\n"), std::string::npos) << big.out;
}

}  // namespace
