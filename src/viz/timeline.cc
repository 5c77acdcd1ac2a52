#include "viz/timeline.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "viz/plot_frame.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

constexpr double kTimelineRowHeight = 20;
constexpr double kLabelWidth = 70;
constexpr double kAxisHeight = 24;

constexpr std::string_view kTimelineStyle = R"(<style>
body { font-family: sans-serif; font-size: 13px; margin: 16px; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 8px; color: #fff; border-radius: 3px; }
.chart { position: relative; border: 1px solid #ccc; background: #fff; }
.row { position: absolute; left: 0; right: 0; border-bottom: 1px solid #f0f0f0; }
.proc { position: absolute; left: 4px; font-family: monospace; color: #555; }
.tick { position: absolute; top: 0; bottom: 0; border-left: 1px solid #eee; }
.tick span { position: absolute; top: 2px; left: 3px; color: #777; font-size: 11px; }
.nemesis { position: absolute; top: 0; bottom: 0; background: rgba(0,0,0,0.08); }
.op { position: absolute; height: 14px; min-width: 6px; border-radius: 2px; overflow: hidden; white-space: nowrap;
      font-size: 10px; line-height: 14px; color: #fff; box-sizing: border-box; padding-left: 2px; }
.op:hover { outline: 2px solid #000; z-index: 2; }
.op:target { outline: 3px solid #1f63b0; outline-offset: 2px; z-index: 3; }
.ok { background: #2a9d3a; } .fail { background: #d62728; } .info { background: #f39c12; } .open { background: #888; }
.note { color: #a00; }
</style>
)";

std::string describe(const OpSpan& s) {
  std::string text = fmt::format("process {} :{} {}", s.process, s.f, s.invoke_value);
  if (!s.node.empty()) text += " (to " + s.node + ")";
  text += fmt::format("\ninvoked at {:.3f} s", static_cast<double>(s.invoke_ns) / 1e9);
  if (s.outcome == Outcome::kOpen) {
    text += "\nnever completed";
  } else {
    text += fmt::format("\n:{} {} after {:.3f} ms", outcome_name(s.outcome), s.complete_value,
                        static_cast<double>(s.complete_ns - s.invoke_ns) / 1e6);
  }
  if (!s.error.empty()) text += "\nerror " + s.error;
  return text;
}

}  // namespace

std::string render_timeline(const Ops& ops, const std::string& title) {
  double end_s = std::max(1e-3, static_cast<double>(ops.end_ns) / 1e9);
  // About 1600 px for the whole run, but never more than 100 px per ms (a very short run).
  double px_per_s = std::min(1600.0 / end_s, 100'000.0);
  double width = kLabelWidth + end_s * px_per_s + 20;
  auto x_of = [&](int64_t ns) { return kLabelWidth + static_cast<double>(std::max<int64_t>(0, ns)) / 1e9 * px_per_s; };

  std::map<int64_t, size_t> rows;
  size_t drawn = std::min(ops.spans.size(), kMaxBars);
  for (size_t i = 0; i < drawn; ++i) rows.emplace(ops.spans[i].process, 0);
  size_t r = 0;
  for (auto& [p, row] : rows) row = r++;
  double height = kAxisHeight + static_cast<double>(rows.size()) * kTimelineRowHeight + 4;

  XmlWriter w;
  w.raw("<!DOCTYPE html>\n");
  w.open("html", {{"xmlns", "http://www.w3.org/1999/xhtml"}, {"lang", "en"}});
  w.open("head");
  w.leaf("meta", {{"charset", "utf-8"}});
  w.element("title", {}, title);
  w.raw(kTimelineStyle);
  w.close("head");
  w.open("body");
  w.element("h1", {}, title);
  w.open("p", {{"class", "legend"}});
  for (Outcome o : {Outcome::kOk, Outcome::kFail, Outcome::kInfo, Outcome::kOpen})
    w.element("span", {{"class", std::string(outcome_name(o))}},
              outcome_name(o) == "open" ? "never completed" : outcome_name(o));
  w.text(fmt::format("{} operations by {} processes; hover over a bar for its values.", ops.spans.size(), rows.size()));
  w.close("p");
  if (drawn < ops.spans.size())
    w.element("p", {{"class", "note"}}, fmt::format("Showing the first {} of {} operations.", drawn, ops.spans.size()));

  w.open("div", {{"class", "chart"}, {"style", fmt::format("width: {}px; height: {}px", num(width), num(height))}});
  for (const Window& n : ops.nemesis) {
    double a = x_of(n.start_ns), b = x_of(n.end_ns);
    w.element("div",
              {{"class", "nemesis"},
               {"style", fmt::format("left: {}px; width: {}px", num(a), num(std::max(1.0, b - a)))},
               {"title", n.label}},
              "");
  }
  Scale axis{0, end_s, 0, 1, false};
  for (double t : ticks(axis, 12)) {
    w.open("div", {{"class", "tick"}, {"style", fmt::format("left: {}px", num(kLabelWidth + t * px_per_s))}});
    w.element("span", {}, tick_label(t) + " s");
    w.close("div");
  }
  for (const auto& [p, row] : rows) {
    double top = kAxisHeight + static_cast<double>(row) * kTimelineRowHeight;
    w.open("div",
           {{"class", "row"}, {"style", fmt::format("top: {}px; height: {}px", num(top), num(kTimelineRowHeight))}});
    w.element("span", {{"class", "proc"}}, fmt::format("p{}", p));
    w.close("div");
  }
  for (size_t i = 0; i < drawn; ++i) {
    const OpSpan& s = ops.spans[i];
    double top = kAxisHeight + static_cast<double>(rows.at(s.process)) * kTimelineRowHeight + 3;
    double a = x_of(s.invoke_ns);
    double b = x_of(s.outcome == Outcome::kOpen ? ops.end_ns : s.complete_ns);
    // The anchor lets a run page link an anomaly's operation: timeline.html#op-17.
    std::string id = s.index >= 0 ? fmt::format("op-{}", s.index) : fmt::format("bar-{}", i);
    w.element(
        "div",
        {{"id", id},
         {"class", "op " + std::string(outcome_name(s.outcome))},
         {"style", fmt::format("left: {}px; top: {}px; width: {}px", num(a), num(top), num(std::max(6.0, b - a)))},
         {"title", describe(s)}},
        s.f);
  }
  w.close("div");
  w.close("body");
  w.close("html");
  return w.finish();
}

}  // namespace squall::viz
