// Runs build/maelstrom_gossip as a child process and talks to it through pipes, as a
// Maelstrom harness would.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "core/testing/subprocess.h"
#include "proto/json_util.h"
#include "proto/message.h"
#include "proto/schema.h"

namespace {

// A finished run of the binary; code() is its exit code, lines() its stdout lines.
struct Outcome : squall::testing::Completed {
  int code() const { return exit_code(); }
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream is(out);
    for (std::string l; std::getline(is, l);) v.push_back(l);
    return v;
  }
};

// Starts the binary with `args`, writes `input`, keeps stdin open for `linger_ms`
// (so timers can fire), closes it and collects everything until the process exits.
Outcome run(const std::vector<std::string>& args, const std::string& input, int linger_ms = 0) {
  std::vector<std::string> argv{std::string(SQUALL_BINARY_DIR) + "/maelstrom_gossip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Outcome{squall::testing::Subprocess::start(argv).communicate(input, std::chrono::milliseconds(linger_ms))};
}

std::string init(const std::string& self, const std::string& ids = R"(["n0"])") {
  return R"({"src":"c0","dest":")" + self + R"(","body":{"type":"init","msg_id":1,"node_id":")" + self +
         R"(","node_ids":)" + ids + "}}\n";
}

std::string req(const std::string& body, const std::string& src = "c1", const std::string& dest = "n0") {
  return R"({"src":")" + src + R"(","dest":")" + dest + R"(","body":)" + body + "}\n";
}

TEST(MaelstromGossipE2e, AcceptanceEcho) {
  Outcome r = run({}, R"({"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}})"
                      "\n"
                      R"({"id":7,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":"hi"}})"
                      "\n");
  ASSERT_TRUE(r.exited());
  EXPECT_EQ(r.code(), 0);
  EXPECT_EQ(r.out,
            "{\"src\":\"n0\",\"dest\":\"c0\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":1}}\n"
            "{\"src\":\"n0\",\"dest\":\"c1\",\"body\":{\"type\":\"echo_ok\",\"echo\":\"hi\",\"in_reply_to\":1}}\n");
}

TEST(MaelstromGossipE2e, GarbageUnknownTypesAndMissingFieldsNeverStopIt) {
  std::string input = req(R"({"type":"echo","msg_id":1,"echo":"early"})", "n1") + init("n0") + "this is not json\n" +
                      "{\"src\":\"c1\"}\n" + "\x01\x02\xff\n" + std::string(100000, '[') + "\n" +
                      req(R"({"type":"frobnicate","msg_id":2})") + req(R"({"msg_id":3})") +
                      req(R"({"type":"echo","msg_id":4})") + req(R"({"type":"add","msg_id":5,"delta":"x"})") +
                      req(R"({"type":"poll","msg_id":6})") + req(R"({"type":"echo","msg_id":7,"echo":"still here"})") +
                      req(R"({"type":"generate","msg_id":8})");
  Outcome r = run({}, input);
  ASSERT_TRUE(r.exited());
  EXPECT_EQ(r.code(), 0);
  std::vector<std::string> lines = r.lines();
  ASSERT_EQ(lines.size(), 9u) << r.out;
  // Every output line is a valid message.
  for (const std::string& l : lines) EXPECT_TRUE(squall::proto::parse_message(l).ok()) << l;
  EXPECT_NE(lines[0].find("init_ok"), std::string::npos);
  EXPECT_NE(lines[1].find(R"("echo":"early","in_reply_to":1)"), std::string::npos) << lines[1];  // queued before init
  EXPECT_NE(lines[2].find(R"("code":10)"), std::string::npos) << lines[2];
  for (int i = 3; i <= 6; ++i)
    EXPECT_NE(lines[static_cast<size_t>(i)].find(R"("code":12)"), std::string::npos) << lines[static_cast<size_t>(i)];
  EXPECT_NE(lines[7].find(R"("echo":"still here","in_reply_to":7)"), std::string::npos);
  EXPECT_NE(lines[8].find("generate_ok"), std::string::npos);
  // Malformed lines are logged with their content.
  EXPECT_NE(r.err.find("this is not json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("{\"src\":\"c1\"}"), std::string::npos) << r.err;
}

TEST(MaelstromGossipE2e, RepliesMatchTheClosedSchemas) {
  std::string input = init("n0") + req(R"({"type":"generate","msg_id":2})") +
                      req(R"({"type":"add","msg_id":3,"delta":4})") + req(R"({"type":"read","msg_id":4})") +
                      req(R"({"type":"send","msg_id":5,"key":"k","msg":1})") +
                      req(R"({"type":"poll","msg_id":6,"offsets":{"k":0}})");
  Outcome r = run({}, input);
  std::vector<std::pair<const char*, const char*>> expect = {{"echo", "init"},     {"unique-ids", "generate"},
                                                             {"g-counter", "add"}, {"g-counter", "read"},
                                                             {"kafka", "send"},    {"kafka", "poll"}};
  std::vector<std::string> lines = r.lines();
  ASSERT_EQ(lines.size(), expect.size()) << r.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto m = squall::proto::parse_message(lines[i]);
    ASSERT_TRUE(m.ok()) << lines[i];
    auto s = squall::proto::check_reply(*squall::proto::find_rpc(expect[i].first, expect[i].second), m->body(),
                                        static_cast<int64_t>(i + 1));
    EXPECT_TRUE(s.ok()) << lines[i] << ": " << (s.ok() ? "" : s.error());
  }
  EXPECT_NE(lines[3].find(R"("value":4)"), std::string::npos);
}

TEST(MaelstromGossipE2e, TimersFireWhileStdinIsIdle) {
  // A leaf gossips to the hub on its own timer, with no further input.
  std::string input = init("n1", R"(["n0","n1"])") + req(R"({"type":"broadcast","msg_id":2,"message":9})", "c1", "n1");
  Outcome r = run({}, input, 400);
  EXPECT_NE(r.out.find(R"({"src":"n1","dest":"n0","body":{"type":"bc_gossip","elems":[9],"msg_id":1}})"),
            std::string::npos)
      << r.out;
}

TEST(MaelstromGossipE2e, FaultGarbageLine) {
  Outcome r = run({"--fault", "garbage-line"}, init("n0") + req(R"({"type":"echo","msg_id":2,"echo":1})"));
  int bad = 0;
  for (const std::string& l : r.lines()) bad += !squall::proto::parse_message(l).ok();
  EXPECT_EQ(bad, 1) << r.out;
  EXPECT_NE(r.err.find("FAULTS ACTIVE"), std::string::npos);
}

TEST(MaelstromGossipE2e, FaultCrashAfter) {
  Outcome r = run({"--fault", "crash-after=2"}, init("n0") + req(R"({"type":"echo","msg_id":2,"echo":1})") +
                                                    req(R"({"type":"echo","msg_id":3,"echo":1})"));
  ASSERT_TRUE(r.exited());
  EXPECT_NE(r.code(), 0);
  EXPECT_EQ(r.lines().size(), 2u) << r.out;
}

TEST(MaelstromGossipE2e, BadFlagsExplainThemselves) {
  Outcome r = run({"--fault", "explode"}, "");
  EXPECT_EQ(r.code(), 2);
  EXPECT_NE(r.err.find("unknown fault"), std::string::npos) << r.err;
  Outcome w = run({"--workload", "txn"}, "");
  EXPECT_EQ(w.code(), 2);
  EXPECT_NE(w.err.find("--workload"), std::string::npos) << w.err;
  Outcome h = run({"--help"}, "");
  EXPECT_EQ(h.code(), 0);
  for (const char* fault : {"no-gossip", "garbage-line", "crash-after", "duplicate-ids", "lose-adds",
                            "kafka-local-offsets", "lin-kv-via"}) {
    EXPECT_NE(h.out.find(fault), std::string::npos) << fault;
  }
}

}  // namespace
