#include "harness/artifacts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "viz/message_table.h"
#include "viz/testing/xml_check.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;
using history::OpType;
using workload::Op;

Op op(OpType type, int64_t process, std::string f, std::string value, int64_t t_ms) {
  Op o;
  o.type = type;
  o.process = process;
  o.f = std::move(f);
  o.value = std::move(value);
  o.time_ns = t_ms * 1'000'000;
  return o;
}

workload::History sample_history() {
  return {op(OpType::kInvoke, 0, "broadcast", "1", 1),
          op(OpType::kInvoke, 1, "read", "null", 2),
          op(OpType::kOk, 0, "broadcast", "1", 3),
          op(OpType::kInfo, workload::kNemesisProcess, "start-partition", "null", 4),
          op(OpType::kInfo, workload::kNemesisProcess, "start-partition", R"({"n0":["n1"]})", 4),
          op(OpType::kFail, 1, "read", "null", 5),
          op(OpType::kInvoke, 0, "read", "null", 6),
          op(OpType::kInfo, workload::kNemesisProcess, "stop-partition", "null", 8),
          op(OpType::kInfo, workload::kNemesisProcess, "stop-partition", "\"network healed\"", 8)};
}

TEST(Artifacts, PairsOpsAndFindsPartitionWindows) {
  viz::Ops ops = ops_from_history(sample_history(), 10'000'000);
  ASSERT_EQ(ops.spans.size(), 3u);
  EXPECT_EQ(ops.spans[0].outcome, viz::Outcome::kOk);
  EXPECT_EQ(ops.spans[0].complete_ns, 3'000'000);
  EXPECT_EQ(ops.spans[1].outcome, viz::Outcome::kFail);
  EXPECT_EQ(ops.spans[2].outcome, viz::Outcome::kOpen);
  ASSERT_EQ(ops.nemesis.size(), 1u);
  EXPECT_EQ(ops.nemesis[0].start_ns, 4'000'000);
  EXPECT_EQ(ops.nemesis[0].end_ns, 8'000'000);
  EXPECT_NE(ops.nemesis[0].label.find("n1"), std::string::npos);
}

TEST(Artifacts, UnhealedPartitionRunsToTheEnd) {
  workload::History h = sample_history();
  h.resize(6);
  viz::Ops ops = ops_from_history(h, 10'000'000);
  ASSERT_EQ(ops.nemesis.size(), 1u);
  EXPECT_EQ(ops.nemesis[0].end_ns, 10'000'000);
}

TEST(Artifacts, WritesAllFiveFiles) {
  fs::path dir = fs::temp_directory_path() / ("squall-artifacts-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  workload::History h = sample_history();
  net::Journal journal(100);
  journal.record(0, 1, 2, 0, net::JournalEvent::kSend, true);
  journal.record(0, 1, 2, 0, net::JournalEvent::kRecv, true);
  viz::MessageLabels labels(10);
  labels.note(1, R"({"type":"broadcast","message":1})");
  ArtifactInputs in;
  in.history = &h;
  in.journal = &journal;
  in.endpoint_names = {"n0", "n1", "c1"};
  in.labels = &labels;
  in.end_ns = 10'000'000;
  in.title = "test";
  ASSERT_TRUE(write_visual_artifacts(dir.string(), in).ok());
  for (const char* name : {"messages.svg", "timeline.html", "latency-raw.svg", "rate.svg"}) {
    std::ifstream f(dir / name);
    std::stringstream ss;
    ss << f.rdbuf();
    auto check = squall::testing::check_xml(ss.str());
    EXPECT_TRUE(check.ok) << name << ": " << check.error;
  }
  // messages.tsv: every message, with its body, for squall serve's windowed diagrams.
  std::ifstream tsv(dir / "messages.tsv");
  std::string header, row;
  std::getline(tsv, header);
  std::getline(tsv, row);
  EXPECT_EQ(header, viz::kMessageTableHeader);
  auto m = viz::parse_message_row(row);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->src, "c1");
  EXPECT_EQ(m->dest, "n0");
  EXPECT_EQ(m->fate, viz::MessageFate::kDelivered);
  EXPECT_EQ(m->body, R"({"type":"broadcast","message":1})");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace squall::harness
