#include "viz/plot_frame.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/assert.h"

namespace squall::viz {

double Scale::map(double v) const {
  double a = lo, b = hi;
  if (log) {
    SQ_ASSERT(lo > 0 && hi > 0);
    v = std::log10(std::max(v, lo));
    a = std::log10(lo);
    b = std::log10(hi);
  }
  v = std::clamp(v, std::min(a, b), std::max(a, b));
  double frac = b > a ? (v - a) / (b - a) : 0;
  return px_lo + frac * (px_hi - px_lo);
}

std::vector<double> ticks(const Scale& s, int target) {
  std::vector<double> out;
  if (s.log) {
    for (double p = std::floor(std::log10(s.lo)); p <= std::ceil(std::log10(s.hi)); ++p) {
      double v = std::pow(10.0, p);
      if (v >= s.lo * 0.999 && v <= s.hi * 1.001) out.push_back(v);
    }
    return out;
  }
  double span = s.hi - s.lo;
  if (span <= 0) return {s.lo};
  double raw = span / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double v = std::ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step) out.push_back(v);
  return out;
}

std::string tick_label(double v) {
  if (v != 0 && (std::fabs(v) < 0.01 || std::fabs(v) >= 1e6)) return fmt::format("{:.0e}", v);
  std::string s = fmt::format("{:.2f}", v);
  while (s.ends_with('0')) s.pop_back();
  if (s.ends_with('.')) s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string_view outcome_colour(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "#2a9d3a";
    case Outcome::kFail: return "#d62728";
    case Outcome::kInfo: return "#f39c12";
    case Outcome::kOpen: return "#888888";
  }
  return "#000";
}

PlotFrame::PlotFrame(std::string title, Scale x, Scale y, std::string x_title, std::string y_title)
    : title_(std::move(title)), x_(x), y_(y), x_title_(std::move(x_title)), y_title_(std::move(y_title)) {
  x_.px_lo = kLeft;
  x_.px_hi = kWidth - kRight;
  y_.px_lo = kHeight - kBottom;
  y_.px_hi = kTop;
}

void PlotFrame::begin(XmlWriter& w, const std::vector<Window>& nemesis) const {
  w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                 {"width", num(kWidth)},
                 {"height", num(kHeight)},
                 {"viewBox", fmt::format("0 0 {} {}", num(kWidth), num(kHeight))}});
  w.raw(
      "\n<style>text { font-family: sans-serif; font-size: 11px; } .grid { stroke: #e4e4e4; } "
      ".axis { stroke: #333; } .nemesis { fill: #000; fill-opacity: 0.07; }</style>\n");
  w.element("title", {}, title_);
  w.element("text", {{"x", num(kWidth / 2)}, {"y", "20"}, {"text-anchor", "middle"}, {"font-size", "14"}}, title_);
  double top = kTop, bottom = kHeight - kBottom;
  for (const Window& n : nemesis) {
    double a = x_.map(static_cast<double>(n.start_ns) / 1e9), b = x_.map(static_cast<double>(n.end_ns) / 1e9);
    w.open("rect", {{"class", "nemesis"},
                    {"x", num(a)},
                    {"y", num(top)},
                    {"width", num(std::max(1.0, b - a))},
                    {"height", num(bottom - top)}});
    w.element("title", {}, n.label);
    w.close("rect");
  }
  for (double t : ticks(x_, 10)) {
    double px = x_.map(t);
    w.leaf("line", {{"class", "grid"}, {"x1", num(px)}, {"y1", num(top)}, {"x2", num(px)}, {"y2", num(bottom)}});
    w.element("text", {{"x", num(px)}, {"y", num(bottom + 16)}, {"text-anchor", "middle"}}, tick_label(t));
  }
  for (double t : ticks(y_, 6)) {
    double py = y_.map(t);
    w.leaf("line",
           {{"class", "grid"}, {"x1", num(kLeft)}, {"y1", num(py)}, {"x2", num(kWidth - kRight)}, {"y2", num(py)}});
    w.element("text", {{"x", num(kLeft - 6)}, {"y", num(py + 4)}, {"text-anchor", "end"}}, tick_label(t));
  }
  w.leaf("rect", {{"class", "axis"},
                  {"x", num(kLeft)},
                  {"y", num(top)},
                  {"width", num(kWidth - kRight - kLeft)},
                  {"height", num(bottom - top)},
                  {"fill", "none"}});
  w.element("text", {{"x", num((kLeft + kWidth - kRight) / 2)}, {"y", num(kHeight - 12)}, {"text-anchor", "middle"}},
            x_title_);
  w.element("text",
            {{"x", "16"},
             {"y", num((top + bottom) / 2)},
             {"text-anchor", "middle"},
             {"transform", fmt::format("rotate(-90 16 {})", num((top + bottom) / 2))}},
            y_title_);
}

void PlotFrame::end(XmlWriter& w, const std::vector<LegendEntry>& legend, std::string_view note) const {
  double x = kWidth - kRight + 14, y = kTop + 4;
  for (const LegendEntry& e : legend) {
    w.open("g", {{"class", "legend"}, {"transform", fmt::format("translate({} {})", num(x), num(y))}});
    w.raw(e.swatch);
    w.element("text", {{"x", "18"}, {"y", "10"}}, e.text);
    w.close("g");
    y += 18;
  }
  if (!note.empty()) w.element("text", {{"x", num(kLeft)}, {"y", num(kTop - 8)}, {"fill", "#a00"}}, note);
  w.close("svg");
}

}  // namespace squall::viz
