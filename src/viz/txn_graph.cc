#include "viz/txn_graph.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "viz/escape.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

// Text metrics for the generic fonts used: an estimate, good enough to size boxes.
constexpr double kMonoChar = 7.3;    // 12px monospace
constexpr double kSansChar = 6.6;    // 11px sans-serif, generous
constexpr double kLine = 15;         // box line height
constexpr double kPad = 8;           // box padding
constexpr size_t kLineBytes = 60;    // a box line or edge label is cut to this
constexpr size_t kTitleBytes = 110;  // a title line
constexpr double kMargin = 20;

const char* const kKinds[] = {"ww", "wr", "rw", "process", "realtime"};

struct Pt {
  double x = 0, y = 0;
};
Pt operator+(Pt a, Pt b) { return {a.x + b.x, a.y + b.y}; }
Pt operator-(Pt a, Pt b) { return {a.x - b.x, a.y - b.y}; }
Pt operator*(double k, Pt a) { return {k * a.x, k * a.y}; }

// Characters as a reader counts them (UTF-8 continuation bytes do not count).
size_t glyphs(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct Box {
  std::vector<std::string> lines;  // first: the header
  double w = 0, h = 0;
  Pt c;  // centre
};

Box make_box(const TxnNode& t) {
  Box b;
  b.lines.push_back(clip_utf8(fmt::format("{} · p{} · {}", t.name, t.process, t.outcome), kLineBytes));
  size_t shown = std::min(t.mops.size(), kTxnGraphMaxMops);
  for (size_t i = 0; i < shown; ++i) b.lines.push_back(clip_utf8(t.mops[i], kLineBytes));
  if (t.mops.size() > shown) b.lines.push_back(fmt::format("… {} more micro-ops", t.mops.size() - shown));
  size_t widest = 0;
  for (const auto& l : b.lines) widest = std::max(widest, glyphs(l));
  b.w = std::max(90.0, static_cast<double>(widest) * kMonoChar + 2 * kPad);
  b.h = static_cast<double>(b.lines.size()) * kLine + kPad;
  return b;
}

// Where the ray from the box's centre towards `toward` leaves the box, plus a gap.
Pt exit_point(const Box& b, Pt toward, double gap) {
  Pt d = toward - b.c;
  double len = std::hypot(d.x, d.y);
  if (len < 1e-9) return b.c;
  double hw = b.w / 2 + gap, hh = b.h / 2 + gap;
  double t =
      std::min(std::abs(d.x) > 1e-9 ? hw / std::abs(d.x) : 1e18, std::abs(d.y) > 1e-9 ? hh / std::abs(d.y) : 1e18);
  return b.c + t * d;
}

struct Curve {
  Pt a, ctl, b, mid;
};

// A quadratic curve from box `from` to box `to`, bent to the left of the direction of
// travel in screen terms (outwards for consecutive boxes clockwise on the circle), so two
// opposite edges between the same boxes stay apart.
Curve curve(const Box& from, const Box& to, double extra_bend) {
  Pt d = to.c - from.c;
  double len = std::max(1.0, std::hypot(d.x, d.y));
  Pt normal{d.y / len, -d.x / len};
  Pt ctl = 0.5 * (from.c + to.c) + (0.2 * len + extra_bend) * normal;
  Curve c;
  c.a = exit_point(from, ctl, 2);
  c.b = exit_point(to, ctl, 6);
  c.ctl = ctl;
  c.mid = 0.25 * c.a + 0.5 * c.ctl + 0.25 * c.b;
  return c;
}

// Title lines: the anomaly, then the models, wrapped.
std::vector<std::string> title_lines(const TxnCycle& g) {
  std::vector<std::string> out;
  out.push_back(clip_utf8(fmt::format("{}: a dependency cycle through {} transaction{}", g.anomaly, g.txns.size(),
                                      g.txns.size() == 1 ? "" : "s"),
                          kTitleBytes));
  auto wrap = [&](std::string head, const std::vector<std::string>& names) {
    std::string line = std::move(head);
    for (size_t i = 0; i < names.size(); ++i) {
      std::string item = clip_utf8(names[i], 40) + (i + 1 < names.size() ? "," : "");
      if (line.size() + item.size() + 1 > kTitleBytes) {
        out.push_back(line);
        line = "    ";
      }
      line += " " + item;
    }
    out.push_back(line);
  };
  if (!g.rules_out.empty()) wrap("rules out:", g.rules_out);
  if (!g.also_rules_out.empty()) wrap("and so also:", g.also_rules_out);
  return out;
}

void write_markers(XmlWriter& w) {
  w.open("defs");
  std::vector<std::string> kinds(std::begin(kKinds), std::end(kKinds));
  kinds.push_back("other");
  for (const auto& k : kinds) {
    w.open("marker", {{"id", "arrow-" + k},
                      {"viewBox", "0 0 10 10"},
                      {"refX", "9"},
                      {"refY", "5"},
                      {"markerWidth", "8"},
                      {"markerHeight", "8"},
                      {"orient", "auto"}});
    w.leaf("path", {{"d", "M 0 0 L 10 5 L 0 10 z"}, {"fill", txn_edge_colour(k)}});
    w.close("marker");
  }
  w.close("defs");
}

std::string marker_kind(const std::string& kind) {
  for (const char* k : kKinds)
    if (kind == k) return kind;
  return "other";
}

}  // namespace

const char* txn_edge_colour(const std::string& kind) {
  if (kind == "ww") return "#1f5fbf";
  if (kind == "wr") return "#1a8a2e";
  if (kind == "rw") return "#cc2222";
  if (kind == "process") return "#8a3fb0";
  if (kind == "realtime") return "#d07000";
  return "#777777";
}

std::string render_txn_cycle(const TxnCycle& g) {
  const size_t n = std::min(g.txns.size(), kTxnGraphMaxTxns);
  std::vector<Box> boxes;
  for (size_t i = 0; i < n; ++i) boxes.push_back(make_box(g.txns[i]));

  // The circle is long enough for every box plus room for the labels between them.
  double perimeter = 0;
  for (const Box& b : boxes) perimeter += std::max(b.w, b.h) + 90;
  double radius = n <= 1 ? 0 : std::max(110.0, perimeter / (2 * std::numbers::pi));
  for (size_t i = 0; i < n; ++i) {
    double a = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
    boxes[i].c = {radius * std::cos(a), radius * std::sin(a)};
  }

  struct Drawn {
    Curve c;
    std::string kind, label;
    bool elided = false;
  };
  std::vector<Drawn> edges;
  for (const TxnArrow& e : g.arrows) {
    if (e.from >= n || e.to >= n || e.from == e.to) continue;
    // Parallel edges of the same direction fan out.
    size_t same = 0;
    for (const TxnArrow& o : g.arrows) {
      if (&o == &e) break;
      same += o.from == e.from && o.to == e.to;
    }
    double bend = 28.0 * static_cast<double>(same);
    edges.push_back({curve(boxes[e.from], boxes[e.to], bend), e.kind, clip_utf8(e.label, kLineBytes), false});
  }
  if (g.txns.size() > n && n >= 2) {
    edges.push_back(
        {curve(boxes[n - 1], boxes[0], 0), "other", fmt::format("… {} more transactions", g.txns.size() - n), true});
  }

  // Bounds of everything drawn in graph coordinates.
  double lo_x = 0, lo_y = 0, hi_x = 0, hi_y = 0;
  auto grow = [&](double x0, double y0, double x1, double y1) {
    lo_x = std::min(lo_x, x0), lo_y = std::min(lo_y, y0), hi_x = std::max(hi_x, x1), hi_y = std::max(hi_y, y1);
  };
  for (const Box& b : boxes) grow(b.c.x - b.w / 2, b.c.y - b.h / 2, b.c.x + b.w / 2, b.c.y + b.h / 2);
  for (const Drawn& d : edges) {
    double half = static_cast<double>(glyphs(d.label)) * kSansChar / 2 + 4;
    grow(d.c.mid.x - half, d.c.mid.y - 10, d.c.mid.x + half, d.c.mid.y + 10);
    grow(d.c.ctl.x, d.c.ctl.y, d.c.ctl.x, d.c.ctl.y);
  }

  std::vector<std::string> title = title_lines(g);
  std::string note = g.txns.size() > n
                         ? fmt::format("showing the first {} of the {} transactions in the cycle", n, g.txns.size())
                         : "";
  double header_h = 14 + 20 + static_cast<double>(title.size() - 1) * 16 + (note.empty() ? 0 : 16) + 16;
  double title_w = 0;
  for (const auto& l : title) title_w = std::max(title_w, static_cast<double>(glyphs(l)) * 7.4);
  double legend_w = 5 * 95;
  double graph_w = hi_x - lo_x;
  double width = std::max({graph_w, title_w, legend_w}) + 2 * kMargin;
  double height = header_h + (hi_y - lo_y) + 60;
  // Graph coordinates -> document coordinates: centred horizontally, below the title.
  Pt shift{(width - graph_w) / 2 - lo_x, header_h - lo_y};

  XmlWriter w;
  w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                 {"width", num(width)},
                 {"height", num(height)},
                 {"viewBox", fmt::format("0 0 {} {}", num(width), num(height))}});
  w.raw(
      "\n<style>text { font-family: sans-serif; font-size: 11px; } .mop { font-family: monospace; font-size: 12px; }"
      " .head { font-weight: bold; } .box { fill: #fbfbfb; stroke: #444; } .title { font-size: 14px; }"
      " .label-bg { fill: #ffffff; fill-opacity: 0.9; }</style>\n");
  w.element("title", {}, title.front());
  write_markers(w);
  w.leaf("rect", {{"x", "0"}, {"y", "0"}, {"width", num(width)}, {"height", num(height)}, {"fill", "#ffffff"}});
  double y = 22;
  for (size_t i = 0; i < title.size(); ++i) {
    w.element("text", {{"class", i == 0 ? "title head" : "title"}, {"x", num(kMargin)}, {"y", num(y)}}, title[i]);
    y += i == 0 ? 20 : 16;
  }
  if (!note.empty()) w.element("text", {{"class", "note"}, {"x", num(kMargin)}, {"y", num(y)}, {"fill", "#a00"}}, note);

  w.open("g", {{"class", "edges"}, {"transform", fmt::format("translate({} {})", num(shift.x), num(shift.y))}});
  for (const Drawn& d : edges) {
    std::string kind = marker_kind(d.kind);
    w.open("path", {{"class", "edge edge-" + kind},
                    {"d", fmt::format("M {} {} Q {} {} {} {}", num(d.c.a.x), num(d.c.a.y), num(d.c.ctl.x),
                                      num(d.c.ctl.y), num(d.c.b.x), num(d.c.b.y))},
                    {"fill", "none"},
                    {"stroke", txn_edge_colour(d.kind)},
                    {"stroke-width", "2"},
                    {"stroke-dasharray", d.elided ? "5 4" : "none"},
                    {"marker-end", "url(#arrow-" + kind + ")"}});
    w.element("title", {}, d.label);
    w.close("path");
  }
  w.close("g");

  w.open("g", {{"class", "txns"}, {"transform", fmt::format("translate({} {})", num(shift.x), num(shift.y))}});
  for (size_t i = 0; i < boxes.size(); ++i) {
    const Box& b = boxes[i];
    double x0 = b.c.x - b.w / 2, y0 = b.c.y - b.h / 2;
    w.open("g", {{"class", "txn"}});
    w.leaf("rect",
           {{"class", "box"}, {"x", num(x0)}, {"y", num(y0)}, {"width", num(b.w)}, {"height", num(b.h)}, {"rx", "4"}});
    for (size_t k = 0; k < b.lines.size(); ++k) {
      w.element("text",
                {{"class", k == 0 ? "mop head" : "mop"},
                 {"x", num(x0 + kPad)},
                 {"y", num(y0 + kPad / 2 + kLine * static_cast<double>(k + 1) - 3)}},
                b.lines[k]);
    }
    w.close("g");
  }
  w.close("g");

  // Labels last, so boxes never hide them.
  w.open("g", {{"class", "labels"}, {"transform", fmt::format("translate({} {})", num(shift.x), num(shift.y))}});
  for (const Drawn& d : edges) {
    double tw = static_cast<double>(glyphs(d.label)) * kSansChar + 6;
    w.leaf("rect", {{"class", "label-bg"},
                    {"x", num(d.c.mid.x - tw / 2)},
                    {"y", num(d.c.mid.y - 9)},
                    {"width", num(tw)},
                    {"height", "14"}});
    w.element("text",
              {{"class", "edge-label"},
               {"x", num(d.c.mid.x)},
               {"y", num(d.c.mid.y + 2)},
               {"text-anchor", "middle"},
               {"fill", txn_edge_colour(d.kind)}},
              d.label);
  }
  w.close("g");

  // Legend: one swatch per edge kind.
  double lx = kMargin, ly = height - 22;
  w.open("g", {{"class", "legend"}});
  for (const char* k : kKinds) {
    w.leaf("line", {{"x1", num(lx)},
                    {"y1", num(ly)},
                    {"x2", num(lx + 26)},
                    {"y2", num(ly)},
                    {"stroke", txn_edge_colour(k)},
                    {"stroke-width", "2"},
                    {"marker-end", fmt::format("url(#arrow-{})", k)}});
    w.element("text", {{"x", num(lx + 32)}, {"y", num(ly + 4)}}, k);
    lx += 95;
  }
  w.close("g");
  w.close("svg");
  return w.finish();
}

}  // namespace squall::viz
