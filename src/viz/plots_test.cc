#include "viz/plots.h"

#include <gtest/gtest.h>

#include "viz/plot_frame.h"
#include "viz/testing/xml_check.h"
#include "viz/timeline.h"

namespace squall::viz {
namespace {

OpSpan span(int64_t process, std::string f, Outcome o, int64_t invoke_ms, int64_t complete_ms,
            std::string value = "1") {
  OpSpan s;
  s.process = process;
  s.f = std::move(f);
  s.outcome = o;
  s.invoke_ns = invoke_ms * 1'000'000;
  s.complete_ns = o == Outcome::kOpen ? -1 : complete_ms * 1'000'000;
  s.invoke_value = std::move(value);
  s.complete_value = "null";
  return s;
}

Ops sample() {
  Ops ops;
  ops.spans = {span(0, "broadcast", Outcome::kOk, 10, 12), span(1, "read", Outcome::kOk, 20, 25, "[1 2]"),
               span(0, "broadcast", Outcome::kFail, 100, 101), span(2, "read", Outcome::kInfo, 150, 1150),
               span(1, "broadcast", Outcome::kOpen, 1900, 0)};
  ops.nemesis = {Window{500'000'000, 900'000'000, "partition {\"n0\" [\"n1\"]}"}};
  ops.end_ns = 2'000'000'000;
  return ops;
}

TEST(Ticks, NiceSteps) {
  EXPECT_EQ(ticks(Scale{0, 10, 0, 1, false}, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(ticks(Scale{0.1, 100, 0, 1, true}, 5), (std::vector<double>{0.1, 1, 10, 100}));
  EXPECT_EQ(tick_label(0.5), "0.5");
  EXPECT_EQ(tick_label(20), "20");
}

TEST(Scale, MapsAndClamps) {
  Scale s{0, 10, 100, 200, false};
  EXPECT_DOUBLE_EQ(s.map(5), 150);
  EXPECT_DOUBLE_EQ(s.map(50), 200);
  Scale l{1, 100, 0, 100, true};
  EXPECT_DOUBLE_EQ(l.map(10), 50);
}

TEST(LatencyPlot, OnePointPerCompletedOp) {
  std::string svg = render_latency_plot(sample());
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  // 4 completed ops; the open one has no latency. Legend swatches are outside .points.
  size_t points = svg.find("class=\"points\""), end = svg.find("</g>", points);
  std::string body = svg.substr(points, end - points);
  int marks = 0;
  for (const char* tag : {"<circle", "<rect", "<path"})
    for (size_t at = body.find(tag); at != std::string::npos; at = body.find(tag, at + 1)) ++marks;
  EXPECT_EQ(marks, 4);
  EXPECT_NE(body.find(std::string(outcome_colour(Outcome::kFail))), std::string::npos);
  EXPECT_NE(body.find(std::string(outcome_colour(Outcome::kInfo))), std::string::npos);
  EXPECT_EQ(check.classes["nemesis"], 1);
}

TEST(RatePlot, OneLinePerFunctionAndOutcome) {
  std::string svg = render_rate_plot(sample());
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["series"], 4);  // broadcast ok, broadcast fail, read ok, read info
  EXPECT_NE(svg.find(">broadcast fail<"), std::string::npos);
}

TEST(Plots, EmptyRunsStillRender) {
  Ops none;
  for (const std::string& svg : {render_latency_plot(none), render_rate_plot(none)}) {
    auto check = squall::testing::check_xml(svg);
    EXPECT_TRUE(check.ok) << check.error;
    EXPECT_NE(svg.find("no operation completed"), std::string::npos);
  }
}

TEST(Timeline, OneBarPerOpColouredByOutcome) {
  Ops ops = sample();
  ops.spans[1].invoke_value = "<img src=x onerror=alert(1)>";
  std::string html = render_timeline(ops, "broadcast <5 nodes>");
  auto check = squall::testing::check_xml(html);
  ASSERT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.classes["op ok"], 2);
  EXPECT_EQ(check.classes["op fail"], 1);
  EXPECT_EQ(check.classes["op info"], 1);
  EXPECT_EQ(check.classes["op open"], 1);
  EXPECT_EQ(check.classes["row"], 3);  // processes 0, 1, 2
  EXPECT_EQ(check.classes["nemesis"], 1);
  EXPECT_EQ(check.tags.count("img"), 0u);
  EXPECT_EQ(check.tags.count("script"), 0u);
  EXPECT_EQ(check.tags.count("link"), 0u);  // self-contained
  EXPECT_NE(html.find("&lt;img src=x"), std::string::npos);
  EXPECT_NE(html.find("broadcast &lt;5 nodes&gt;"), std::string::npos);
}

}  // namespace
}  // namespace squall::viz
