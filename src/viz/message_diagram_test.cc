#include "viz/message_diagram.h"

#include <gtest/gtest.h>

#include "viz/testing/xml_check.h"

namespace squall::viz {
namespace {

using net::JournalEvent;

// Endpoints: 0 n0, 1 n1, 2 lin-kv, 3 c1.
const std::vector<std::string> kNames = {"n0", "n1", "lin-kv", "c1"};

struct Fixture {
  net::Journal journal{1000};
  MessageLabels labels{100};
  int64_t t = 0;
  int64_t next_id = 1;

  int64_t deliver(uint32_t src, uint32_t dest, std::string body, int64_t latency = 1'000'000) {
    int64_t id = next_id++;
    labels.note(id, body);
    journal.record(t, id, src, dest, JournalEvent::kSend, src == 3 || dest == 3);
    t += latency;
    journal.record(t, id, src, dest, JournalEvent::kRecv, src == 3 || dest == 3);
    return id;
  }
  int64_t drop(uint32_t src, uint32_t dest, std::string body) {
    int64_t id = next_id++;
    labels.note(id, body);
    journal.record(t, id, src, dest, JournalEvent::kSend, false);
    journal.record(t, id, src, dest, JournalEvent::kDrop, false);
    return id;
  }
};

TEST(MessageLabels, TypeAndShortFields) {
  EXPECT_EQ(MessageLabels::label_of(R"({"type":"broadcast","msg_id":3,"message":5})"), "broadcast message=5");
  EXPECT_EQ(MessageLabels::label_of(R"({"in_reply_to":3,"type":"broadcast_ok"})"), "broadcast_ok");
  std::string big = R"({"type":"gossip","messages":[)";
  for (int i = 0; i < 100; ++i) big += std::to_string(i) + ",";
  big += "1]}";
  std::string l = MessageLabels::label_of(big);
  EXPECT_EQ(l.rfind("gossip messages=[0,1,2", 0), 0u) << l;
  EXPECT_LE(l.size(), 48u + 3u);
}

TEST(MessageLabels, OnlyTheFirstMessagesAreKept) {
  MessageLabels labels(2);
  labels.note(1, R"({"type":"a"})");
  labels.note(3, R"({"type":"c"})");
  ASSERT_NE(labels.find(1), nullptr);
  EXPECT_EQ(labels.find(1)->label, "a");
  EXPECT_EQ(labels.find(2), nullptr);
  EXPECT_EQ(labels.find(3), nullptr);
}

TEST(MessageDiagram, ArrowsForDeliveriesCrossesForDrops) {
  Fixture f;
  f.deliver(3, 0, R"({"type":"broadcast","msg_id":1,"message":7})", 0);
  f.deliver(0, 1, R"({"type":"gossip","msg_id":1,"message":7})");
  f.drop(1, 0, R"({"type":"gossip","message":7})");
  f.deliver(0, 2, R"({"type":"read","key":"k"})");
  f.deliver(0, 3, R"({"type":"broadcast_ok","in_reply_to":1})", 0);
  std::string svg = render_message_diagram(f.journal, kNames, f.labels);
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["msg delivered"] + check.classes["msg delivered client"], 4);
  EXPECT_EQ(check.classes["msg delivered client"], 2);
  EXPECT_EQ(check.classes["msg dropped"], 1);
  EXPECT_EQ(check.classes["msg inflight"], 0);
  EXPECT_EQ(check.classes["lane"], 4);
  EXPECT_NE(svg.find(">broadcast message=7<"), std::string::npos);
  EXPECT_NE(svg.find(">broadcast_ok<"), std::string::npos);
  // Lanes: the client first, then nodes, then the service.
  size_t c1 = svg.find(">c1<"), n0 = svg.find(">n0<"), n1 = svg.find(">n1<"), kv = svg.find(">lin-kv<");
  ASSERT_NE(kv, std::string::npos);
  EXPECT_LT(c1, n0);
  EXPECT_LT(n0, n1);
  EXPECT_LT(n1, kv);
  EXPECT_EQ(svg.find("Showing the first"), std::string::npos);
}

TEST(MessageDiagram, InFlightMessagesAreDrawnAsSuch) {
  Fixture f;
  f.journal.record(0, 1, 0, 1, JournalEvent::kSend, false);
  auto check = squall::testing::check_xml(render_message_diagram(f.journal, kNames, f.labels));
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["msg inflight"], 1);
  EXPECT_EQ(check.classes["msg delivered"], 0);
}

TEST(MessageDiagram, CapsWhatItDrawsAndSaysSo) {
  Fixture f;
  for (int i = 0; i < 30; ++i) f.deliver(0, 1, R"({"type":"ping"})");
  std::string svg = render_message_diagram(f.journal, kNames, f.labels, DiagramOptions{10});
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["msg delivered"], 10);
  EXPECT_NE(svg.find("Showing the first 10 of 30 messages"), std::string::npos);
  EXPECT_EQ(check.classes["lane"], 2);  // only endpoints that appear get a lane
}

TEST(MessageDiagram, HostileBodiesAreEscaped) {
  Fixture f;
  f.deliver(0, 1, R"({"type":"</text></svg><script>alert(1)</script>","x":"&\u0001"})");
  f.deliver(0, 1, "{\"type\":\"bad\xff\"}");
  std::string svg = render_message_diagram(f.journal, kNames, f.labels);
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.tags.count("script"), 0u);
  EXPECT_EQ(check.classes["msg delivered"], 2);
}

}  // namespace
}  // namespace squall::viz
