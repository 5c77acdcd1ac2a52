#include "viz/message_diagram.h"

#include <gtest/gtest.h>

#include "viz/message_table.h"
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
  // Lanes: nodes first, then the service, then the client.
  size_t c1 = svg.find(">c1<"), n0 = svg.find(">n0<"), n1 = svg.find(">n1<"), kv = svg.find(">lin-kv<");
  ASSERT_NE(c1, std::string::npos);
  EXPECT_LT(n0, n1);
  EXPECT_LT(n1, kv);
  EXPECT_LT(kv, c1);
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

DiagramMessage msg(int64_t id, std::string src, std::string dest, int64_t send, int64_t end, std::string body) {
  DiagramMessage m;
  m.id = id;
  m.src = std::move(src);
  m.dest = std::move(dest);
  m.send_ns = send;
  m.end_ns = end;
  m.fate = end < 0 ? MessageFate::kInFlight : MessageFate::kDelivered;
  m.body = std::move(body);
  return m;
}

TEST(MessageDiagram, ManyClientsShareOneLaneAfterTheNodes) {
  DiagramView v;
  for (int c = 1; c <= 10; ++c)
    v.messages.push_back(
        msg(c, "c" + std::to_string(c), "n" + std::to_string(c % 3), c * 10, c * 10 + 5, R"({"type":"read"})"));
  std::string svg = render_diagram_svg(v, false);
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["lane"], 4);  // n0, n1, n2 and one lane for the ten clients
  size_t n2 = svg.find(">n2<"), clients = svg.find(">10 clients<");
  ASSERT_NE(clients, std::string::npos);
  EXPECT_LT(n2, clients);
  // Hover text names the real client and shows the body.
  EXPECT_NE(svg.find("c7 → n1 #7"), std::string::npos);
  EXPECT_NE(svg.find("{&quot;type&quot;:&quot;read&quot;}"), std::string::npos);
}

TEST(MessageDiagram, FaultsAreShadedAndTheFocusMarked) {
  DiagramView v;
  v.messages.push_back(msg(1, "n0", "n1", 0, 10, ""));
  v.messages.push_back(msg(2, "n1", "n0", 20, 30, ""));
  v.messages.push_back(msg(3, "n1", "n0", 40, -1, ""));
  v.faults.push_back(Window{15, 35, "partition {n0 [n1]}"});
  v.faults.push_back(Window{1000, 2000, "outside"});  // after every drawn event: not drawn
  v.focus_ns = 20;
  std::string svg = render_diagram_svg(v, true);
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["fault"], 1);
  EXPECT_EQ(check.classes["focus"], 1);
  EXPECT_NE(svg.find("id=\"focus\""), std::string::npos);
  EXPECT_EQ(check.classes["msg inflight"], 1);
  EXPECT_NE(svg.find("(body not kept)"), std::string::npos);
}

// A page's drawing: one <path> per message, the hover text of each in one table (not a
// <title> per message), lane names once, and the drawing cut into bands.
TEST(MessageDiagramPage, EveryMessageHasHoverTextAndNoTitles) {
  DiagramView v;
  // 400 messages, each in flight across 40 rows: long arrows cross the bands' edges.
  for (int i = 1; i <= 400; ++i)
    v.messages.push_back(msg(i, "n" + std::to_string(i % 5), "n" + std::to_string((i + 2) % 5), i * 10, i * 10 + 205,
                             i == 7 ? R"({"type":"</script><b>x","v":"\u0001"})" : R"({"type":"gossip"})"));
  v.messages.push_back(msg(401, "n0", "n1", 4010, -1, ""));
  DiagramPage page = render_diagram_page(v);
  auto check = squall::testing::check_xml("<div>" + page.lane_header + page.svg + "</div>");
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["msg delivered"], 400);
  EXPECT_EQ(check.classes["msg inflight"], 1);
  EXPECT_EQ(check.tags["title"], 0);
  EXPECT_GT(check.classes["band"], 1);
  EXPECT_GT(check.classes["cont delivered"], 0);  // arrows continued into the next band
  EXPECT_EQ(check.classes["name"], 5);            // n0..n4, once each
  for (int i = 1; i <= 401; ++i)
    EXPECT_NE(page.hover_json.find("\"" + std::to_string(i) + "\":\"n"), std::string::npos) << i;
  EXPECT_NE(page.hover_json.find("n2 → n4 #7 sent at 0.000 ms, delivered at 0.000 ms\\u000a"), std::string::npos);
  EXPECT_NE(page.hover_json.find("(body not kept)"), std::string::npos);
  // The hostile body stays inside its JSON string: no markup, no raw control byte.
  EXPECT_EQ(page.hover_json.find('<'), std::string::npos);
  EXPECT_NE(page.hover_json.find("\\u003c/script\\u003e\\u003cb\\u003ex"), std::string::npos);
  EXPECT_EQ(page.hover_json.front(), '{');
  EXPECT_EQ(page.hover_json.back(), '}');
  // The same view as a file still has its <title>s and no bands.
  auto file = squall::testing::check_xml(render_diagram_svg(v, true));
  ASSERT_TRUE(file.ok) << file.error;
  EXPECT_EQ(file.tags["title"], 402);
  EXPECT_EQ(file.classes["band"], 0);
}

TEST(MessageDiagram, LabelsAreDrawnOnlyWhereTheyFit) {
  DiagramView v;
  // Rows 0 to 3 and 1 to 2 between the same lanes: the middles of the arrows coincide.
  v.messages.push_back(msg(1, "n0", "n1", 0, 30, R"({"type":"first"})"));
  v.messages.push_back(msg(2, "n0", "n1", 10, 20, R"({"type":"second"})"));
  v.messages.push_back(msg(3, "n1", "n0", 100, 110, R"({"type":"third"})"));
  std::string svg = render_diagram_svg(v, false);
  EXPECT_NE(svg.find(">first<"), std::string::npos);
  EXPECT_EQ(svg.find(">second<"), std::string::npos);
  EXPECT_NE(svg.find(">third<"), std::string::npos);
  EXPECT_NE(svg.find("n0 → n1 #2"), std::string::npos);  // its hover text is still there
}

TEST(MessageTable, RowsRoundTripWithAwkwardBodies) {
  DiagramMessage m = msg(42, "n3", "lin-kv", 1234, 5678, "{\"type\":\"a\tb\\c\nd\r\"}");
  m.fate = MessageFate::kDropped;
  std::string line = format_message_row(m);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = parse_message_row(line);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->id, 42);
  EXPECT_EQ(back->src, "n3");
  EXPECT_EQ(back->dest, "lin-kv");
  EXPECT_EQ(back->send_ns, 1234);
  EXPECT_EQ(back->end_ns, 5678);
  EXPECT_EQ(back->fate, MessageFate::kDropped);
  EXPECT_EQ(back->body, m.body);
  EXPECT_EQ(message_row_send_ns(line), 1234);
}

TEST(MessageTable, MalformedRowsAreErrorsNotCrashes) {
  for (std::string_view bad :
       {"", "1\tn0", "x\tn0\tn1\t0\t1\tdelivered\t", "1\tn0\tn1\t5\t1\tdelivered\t", "1\tn0\tn1\t0\t-1\tdelivered\t",
        "1\tn0\tn1\t0\t3\tlost\t", "1\t\tn1\t0\t3\tdelivered\t"}) {
    EXPECT_FALSE(parse_message_row(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace squall::viz
