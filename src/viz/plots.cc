#include "viz/plots.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "viz/plot_frame.h"

namespace squall::viz {
namespace {

constexpr Outcome kCompleted[] = {Outcome::kOk, Outcome::kFail, Outcome::kInfo};

double seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

double latency_ms(const OpSpan& s) { return static_cast<double>(s.complete_ns - s.invoke_ns) / 1e6; }

// The i-th distinct :f gets the i-th marker shape; the fill says the outcome.
std::string marker(size_t shape, double x, double y, std::string_view colour) {
  switch (shape % 4) {
    case 0: return fmt::format(R"(<circle cx="{}" cy="{}" r="2.5" fill="{}"/>)", num(x), num(y), colour);
    case 1:
      return fmt::format(R"(<rect x="{}" y="{}" width="5" height="5" fill="{}"/>)", num(x - 2.5), num(y - 2.5), colour);
    case 2: return fmt::format(R"(<path d="M {} {} l 3 5 l -6 0 z" fill="{}"/>)", num(x), num(y - 3), colour);
    default: return fmt::format(R"(<path d="M {} {} l 3 3 l -3 3 l -3 -3 z" fill="{}"/>)", num(x), num(y - 3), colour);
  }
}

std::vector<std::string> distinct_fs(const Ops& ops) {
  std::vector<std::string> fs;
  for (const OpSpan& s : ops.spans)
    if (std::find(fs.begin(), fs.end(), s.f) == fs.end()) fs.push_back(s.f);
  return fs;
}

size_t index_of(const std::vector<std::string>& fs, const std::string& f) {
  return static_cast<size_t>(std::find(fs.begin(), fs.end(), f) - fs.begin());
}

double x_max(const Ops& ops) { return std::max(1.0, seconds(ops.end_ns)); }

}  // namespace

std::string render_latency_plot(const Ops& ops) {
  std::vector<const OpSpan*> done;
  for (const OpSpan& s : ops.spans)
    if (s.outcome != Outcome::kOpen) done.push_back(&s);
  double lo = INFINITY, hi = 0;
  for (const OpSpan* s : done) {
    double l = std::max(latency_ms(*s), 1e-3);  // a log scale has no zero
    lo = std::min(lo, l);
    hi = std::max(hi, l);
  }
  if (done.empty()) lo = 0.1, hi = 1000;
  Scale y{std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi))), 0, 1, true};
  if (y.hi <= y.lo) y.hi = y.lo * 10;
  PlotFrame frame("Operation latency", Scale{0, x_max(ops), 0, 1, false}, y, "time (s)", "latency (ms)");
  XmlWriter w;
  frame.begin(w, ops.nemesis);
  std::vector<std::string> fs = distinct_fs(ops);
  size_t stride = std::max<size_t>(1, (done.size() + kMaxPoints - 1) / kMaxPoints);
  w.open("g", {{"class", "points"}});
  for (size_t i = 0; i < done.size(); i += stride) {
    const OpSpan& s = *done[i];
    w.raw(marker(index_of(fs, s.f), frame.x().map(seconds(s.invoke_ns)), frame.y().map(std::max(latency_ms(s), 1e-3)),
                 outcome_colour(s.outcome)));
    w.raw("\n");
  }
  w.close("g");
  std::vector<LegendEntry> legend;
  for (Outcome o : kCompleted) legend.push_back({std::string(outcome_name(o)), marker(0, 6, 6, outcome_colour(o))});
  for (size_t i = 0; i < fs.size() && i < 8; ++i) legend.push_back({fs[i], marker(i, 6, 6, "#555")});
  std::string note =
      stride > 1 ? fmt::format("showing every {}th of {} completed operations", stride, done.size()) : "";
  if (done.empty()) note = "no operation completed";
  frame.end(w, legend, note);
  return w.finish();
}

std::string render_rate_plot(const Ops& ops) {
  double span_s = x_max(ops);
  // Bucket width: a nice step holding about ten completions on average (fewer make the
  // line all spikes), between a two-hundredth and a fifth of the run, at least 10 ms.
  size_t completed = 0;
  for (const OpSpan& s : ops.spans) completed += s.outcome != Outcome::kOpen ? 1 : 0;
  double raw = std::max(
      {0.01, span_s / 200, std::min(span_s / 5, span_s * 10 / std::max<double>(1, static_cast<double>(completed)))});
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double bucket = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    bucket = m * mag;
    if (bucket >= raw) break;
  }
  auto n_buckets = static_cast<size_t>(std::ceil(span_s / bucket)) + 1;
  std::vector<std::string> fs = distinct_fs(ops);
  std::map<std::pair<size_t, Outcome>, std::vector<double>> series;
  for (const OpSpan& s : ops.spans) {
    if (s.outcome == Outcome::kOpen) continue;
    auto b = std::min(n_buckets - 1, static_cast<size_t>(std::max(0.0, seconds(s.complete_ns)) / bucket));
    auto& v = series[{index_of(fs, s.f), s.outcome}];
    if (v.empty()) v.assign(n_buckets, 0);
    v[b] += 1 / bucket;
  }
  double hi = 1;
  for (const auto& [k, v] : series) hi = std::max(hi, *std::max_element(v.begin(), v.end()));
  PlotFrame frame("Throughput", Scale{0, span_s, 0, 1, false}, Scale{0, hi * 1.05, 0, 1, false}, "time (s)",
                  fmt::format("completions / s ({} s buckets)", tick_label(bucket)));
  XmlWriter w;
  frame.begin(w, ops.nemesis);
  static constexpr std::string_view kDash[] = {"", "6 3", "2 2"};  // ok, fail, info
  std::vector<LegendEntry> legend;
  for (const auto& [k, v] : series) {
    auto [f, outcome] = k;
    std::string points;
    for (size_t b = 0; b < v.size(); ++b) {
      points +=
          fmt::format("{},{} ", num(frame.x().map((static_cast<double>(b) + 0.5) * bucket)), num(frame.y().map(v[b])));
    }
    std::string_view dash = kDash[static_cast<size_t>(outcome)];
    std::string colour = fmt::format("hsl({}, 65%, 40%)", (f * 67) % 360);
    w.open("polyline", {{"class", "series"},
                        {"points", points},
                        {"fill", "none"},
                        {"stroke", colour},
                        {"stroke-width", "1.5"},
                        {"stroke-dasharray", std::string(dash.empty() ? "none" : dash)}});
    w.element("title", {}, fmt::format("{} {}", fs[f], outcome_name(outcome)));
    w.close("polyline");
    legend.push_back(
        {fmt::format("{} {}", fs[f], outcome_name(outcome)),
         fmt::format(R"(<line x1="0" y1="6" x2="14" y2="6" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>)",
                     colour, dash.empty() ? "none" : dash)});
  }
  frame.end(w, legend, series.empty() ? "no operation completed" : "");
  return w.finish();
}

}  // namespace squall::viz
