#include "node/stdio_driver.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>

#include "core/testing/subprocess.h"

namespace squall::node {
namespace {

using Piped = squall::testing::Completed;

void setup_echo(Node& n) {
  n.on("echo", [&n](const Request& req) {
    proto::BodyWriter w("echo_ok");
    if (const rapidjson::Value* e = proto::member(req.body(), "echo")) w.put_value("echo", *e);
    n.reply(req, w);
  });
}

// Runs the driver over pipes in a forked child, so that faults which exit the process
// can be observed too.
Piped run(const std::string& input, StdioOptions opt) {
  opt.in_fd = 0;
  opt.out_fd = 1;
  opt.err_fd = 2;
  squall::testing::Subprocess child = squall::testing::Subprocess::fork([&opt] {
    Node n;
    setup_echo(n);
    ManualClock clock(1'000'000'000);
    return run_stdio(n, clock, opt);
  });
  return child.communicate(input);
}

const std::string kInitLine =
    R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}})";
std::string echo(int id) {
  return R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":)" + std::to_string(id) + R"(,"echo":"hi"}})";
}
std::string echo_ok(int id) {
  return R"({"src":"n0","dest":"c1","body":{"type":"echo_ok","echo":"hi","in_reply_to":)" + std::to_string(id) + "}}\n";
}
const std::string kInitOk = "{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}\n";

TEST(StdioDriver, ServesLinesAndSurvivesGarbage) {
  std::string input = kInitLine + "\n" + "{{{ not json\n\n" + echo(2) + "\r\n" + "[]\n" + echo(3);  // no final newline
  Piped p = run(input, {});
  EXPECT_TRUE(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0);
  EXPECT_EQ(p.out, kInitOk + echo_ok(2) + echo_ok(3));
  EXPECT_NE(p.err.find("{{{ not json"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("malformed 2"), std::string::npos) << p.err;
}

TEST(StdioDriver, GarbageLineFaultWritesOneNonJsonLine) {
  StdioOptions opt;
  opt.garbage_line_once = true;
  Piped p = run(kInitLine + "\n" + echo(2) + "\n" + echo(3) + "\n", opt);
  // The garbage goes out with the first batch after init, so it follows init_ok; the
  // real replies are intact around it.
  const std::string garbage = "fault garbage-line: this line is not JSON\n";
  EXPECT_EQ(p.out.rfind(kInitOk + echo_ok(2) + echo_ok(3), 0), 0u) << p.out;
  EXPECT_EQ(p.out.substr(p.out.size() - garbage.size()), garbage);
  EXPECT_EQ(p.out.size(), kInitOk.size() + echo_ok(2).size() + echo_ok(3).size() + garbage.size());
}

TEST(StdioDriver, CrashAfterServesExactlyNMessagesThenExitsAbnormally) {
  StdioOptions opt;
  opt.crash_after_messages = 2;
  Piped p = run(kInitLine + "\n" + echo(2) + "\n" + echo(3) + "\n", opt);
  ASSERT_TRUE(WIFEXITED(p.status));
  EXPECT_EQ(WEXITSTATUS(p.status), kCrashExitStatus);
  EXPECT_EQ(p.out, kInitOk + echo_ok(2));
  EXPECT_NE(p.err.find("crash-after=2"), std::string::npos);
}

TEST(StdioDriver, OverlongLinesAreSkipped) {
  // The bound logic with a line split over several reads: a long but legal line still
  // parses.
  std::string big =
      R"({"src":"c1","dest":"n0","body":{"type":"echo","msg_id":2,"echo":")" + std::string(30000, 'x') + "\"}}";
  Piped p = run(kInitLine + "\n" + big + "\n", {});
  EXPECT_NE(p.out.find(std::string(30000, 'x')), std::string::npos);
}

}  // namespace
}  // namespace squall::node
