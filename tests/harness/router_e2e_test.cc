// End-to-end tests of how `squall test` reads node output: one JSON grammar, Maelstrom's
// verdict semantics for malformed output (warnings unless --strict), forwarding with the
// client's src, and node bytes that must never reach the terminal or the files raw.
// Nodes: nodes/hostile.py (an echo node that breaks every third reply) and the Raft-style
// lin-kv node tests/nodes/raft_kv.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "testing/squall_run.h"

namespace {

namespace fs = std::filesystem;

using squall::testing::contains;
using squall::testing::kBuild;
using squall::testing::RunResult;
using squall::testing::slurp;
using squall::testing::verdict_is;
const std::string kHostile = squall::testing::kSource + "/tests/harness/nodes/hostile.py";
const std::string kRaftKv = kBuild + "/tests/raft_kv";

RunResult hostile(const std::string& name, const std::string& mode, const std::string& flags = "") {
  return squall::testing::squall_test(
      "router", name,
      "-w echo --bin " + kHostile + " --node-count 1 --time-limit 2 --rate 10 --rpc-timeout 1 --recovery-time 0 " +
          flags + " -- --mode " + mode);
}

// Runs a shell command; true when it exits 0 (what it wrote goes to the test's output).
bool shell_ok(const std::string& cmd) {
  using squall::testing::Stream;
  return squall::testing::run_shell(cmd, {.in = Stream::kNull, .out = Stream::kInherit, .err = Stream::kInherit})
             .exit_code() == 0;
}

// Decoding as strict UTF-8 (and, for .json, parsing) with Python: a reader independent of Squall's.
bool valid_utf8_file(const fs::path& p) {
  return shell_ok("python3 -c 'import sys; open(sys.argv[1], encoding=\"utf-8\", errors=\"strict\").read()' " +
                  p.string());
}
bool json_file(const fs::path& p) {
  return shell_ok("python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding=\"utf-8\"))' " + p.string());
}
bool valid_utf8_text(const std::string& text, const std::string& name) {
  fs::path p = fs::path(kBuild) / "test-store" / "router" / (name + ".txt");
  std::ofstream(p, std::ios::binary) << text;
  return valid_utf8_file(p);
}

int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// ---- one JSON grammar ----------------------------------------------------------------

// 1e400 and a lone surrogate are valid by JSON's grammar but no parser of doubles or
// UTF-16 accepts them. They used to pass the harness's first reader, fail its second and
// abort the run (exit 134, empty history). Now they are protocol errors of the node.
// So is a NUL byte after the envelope, which RapidJSON alone reads as the end of the text
// (stamping such a line used to abort the run on an assertion).
class UnreadableReply : public ::testing::TestWithParam<const char*> {};

TEST_P(UnreadableReply, IsAWarningAndTheRunCompletes) {
  std::string mode = GetParam();
  RunResult r = hostile("unreadable-" + mode, mode);
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_TRUE(contains(r.out, "protocol violation(s) of kind non-json")) << r.out;
  std::string history = slurp(r.run_dir() / "history.edn");
  EXPECT_GE(count_of(history, ":type :ok"), 2) << history;
  // The unreadable replies are lost: their ops time out, indeterminate.
  EXPECT_GE(count_of(history, ":error [:net-timeout]"), 1) << history;
  EXPECT_TRUE(contains(r.results_edn(), ":by-kind {:non-json ")) << r.results_edn();
}

TEST_P(UnreadableReply, FailsTheRunUnderStrict) {
  std::string mode = GetParam();
  RunResult r = hostile("unreadable-strict-" + mode, mode, "--strict");
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  EXPECT_TRUE(contains(r.out, "fail the run under --strict")) << r.out;
  EXPECT_TRUE(contains(r.results_edn(), ":node-errors {:valid? false, :strict? true")) << r.results_edn();
}

INSTANTIATE_TEST_SUITE_P(Inputs, UnreadableReply, ::testing::Values("huge-number", "lone-surrogate", "nul-byte"),
                         squall::testing::NameFromParam());

// ---- Maelstrom's verdict semantics for malformed output -------------------------------

struct Broken {
  const char* mode;
  const char* kind;   // the warning's kind
  const char* error;  // the :info op's error
};

class BrokenReply : public ::testing::TestWithParam<Broken> {};

TEST_P(BrokenReply, MakesItsOpInfoAndLeavesTheVerdictToTheChecker) {
  const Broken& b = GetParam();
  RunResult r = hostile(std::string("broken-") + b.mode, b.mode);
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  EXPECT_TRUE(contains(r.out, "Warnings: protocol violations")) << r.out;
  EXPECT_TRUE(contains(r.out, std::string("protocol violation(s) of kind ") + b.kind)) << r.out;
  std::string history = slurp(r.run_dir() / "history.edn");
  EXPECT_GE(count_of(history, std::string(":type :info, :f :echo")), 1) << history;
  EXPECT_TRUE(contains(history, b.error)) << history;
  RunResult strict = hostile(std::string("broken-strict-") + b.mode, b.mode, "--strict");
  EXPECT_TRUE(verdict_is(strict, 1, "FAIL"));
}

INSTANTIATE_TEST_SUITE_P(Replies, BrokenReply,
                         ::testing::Values(Broken{"null-src", "bad-envelope",
                                                  ":error [:bad-envelope \"message lacks a string \\\"src\\\"\"]"},
                                           Broken{"missing-key", "malformed-reply",
                                                  ":error [:malformed-reply \"echo_ok requires key"}),
                         [](const auto& info) {
                           return std::string(info.param.kind) == "bad-envelope" ? std::string("null_src")
                                                                                 : std::string("missing_key");
                         });

// ---- terminal escapes and invalid UTF-8 ----------------------------------------------

TEST(NodeBytes, NeverReachTheConsoleRawAndFilesStayValidUtf8) {
  RunResult r = hostile("escapes", "escapes", "--log-stderr");
  // The echo values came back altered (invalid bytes read as U+FFFD): the checker says so.
  EXPECT_TRUE(verdict_is(r, 1, "FAIL"));
  for (const std::string* text : {&r.out, &r.err}) {
    EXPECT_FALSE(contains(*text, "\x1b[2J")) << *text;
    EXPECT_FALSE(contains(*text, "\xff")) << *text;
  }
  EXPECT_TRUE(valid_utf8_text(r.out, "escapes-stdout"));
  EXPECT_TRUE(valid_utf8_text(r.err, "escapes-stderr"));
  EXPECT_TRUE(contains(r.err, "[n0] stderr says \\x1b[2J\\xff\\xfe\\xc0")) << r.err;  // forwarded, escaped
  EXPECT_TRUE(contains(r.out, "kind invalid-utf8")) << r.out;
  fs::path dir = r.run_dir();
  for (const char* f : {"results.json", "results.edn", "history.edn", "history.txt", "jepsen.log", "report.txt"}) {
    EXPECT_TRUE(valid_utf8_file(dir / f)) << f;
    EXPECT_FALSE(contains(slurp(dir / f), "\x1b")) << f;
  }
  EXPECT_TRUE(json_file(dir / "results.json"));
  // The escaped ESC of the JSON value survives as an escape, the bad bytes as U+FFFD.
  EXPECT_TRUE(contains(slurp(dir / "history.edn"), "\"\\u001b[2J \xef\xbf\xbd")) << slurp(dir / "history.edn");
}

// ---- forwarding ----------------------------------------------------------------------

// Followers hand client requests to the leader n0 keeping the client's src; n0 answers
// the client directly. Maelstrom accepts this; Squall used to call every forwarded
// request a bad envelope and fail a correct node.
TEST(Forwarding, RaftStyleLinKvIsValidUnderPartitions) {
  ASSERT_TRUE(squall::testing::executable(kRaftKv)) << kRaftKv;
  RunResult r = squall::testing::squall_test(
      "router", "raft-kv",
      "-w lin-kv --bin " + kRaftKv +
          " --node-count 3 --concurrency 2n --nemesis partition --time-limit 8 --rate 50 --nemesis-interval 1.5"
          " --recovery-time 2 --seed 7");
  EXPECT_TRUE(verdict_is(r, 0, "PASS"));
  std::string results = r.results_edn();
  EXPECT_TRUE(contains(results, ":protocol-error-count 0,")) << results;
  EXPECT_TRUE(contains(results, ":workload {:valid? true")) << results;
  // Clients of processes p talk to node p mod 3 (a reopened client keeps its node, its
  // process grows by the concurrency, 6): ok ops of clients on n1 and n2 were forwarded.
  std::ifstream in(r.run_dir() / "history.edn");
  int forwarded_ok = 0, unavailable = 0;
  for (std::string line; std::getline(in, line);) {
    size_t p = line.find(":process ");
    if (p == std::string::npos || line.find(":process :nemesis") != std::string::npos) continue;
    long process = std::stol(line.substr(p + 9));
    if (contains(line, ":type :ok") && process % 3 != 0) ++forwarded_ok;
    if (contains(line, ":temporarily-unavailable")) ++unavailable;
  }
  EXPECT_GE(forwarded_ok, 10);
  EXPECT_GE(unavailable, 1) << "partitions should have cut someone off from the leader";
  EXPECT_TRUE(contains(r.out, "Nemesis: partition")) << r.out;
}

}  // namespace
