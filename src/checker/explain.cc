#include "checker/explain.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/core.h>

#include "history/edn.h"
#include "history/printable.h"

namespace squall::checker {

using history::History;
using history::kNoOp;
using history::Op;
using history::OpType;

namespace {

constexpr size_t kCallsDrawnMax = 1200;  // per key, a window around the failing op

std::string key_label(const KeyResult& k) { return k.key ? "key " + history::to_edn(*k.key) : "history"; }

// Markup-escaped and valid UTF-8 with no control characters, whatever bytes the
// history held (see history/printable.h): the page stays well-formed and readable.
std::string html_escape(std::string_view raw) {
  std::string s = history::printable(raw);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string describe_call(const History& h, size_t invoke) {
  const Op& inv = h[invoke];
  std::string s = "#" + std::to_string(invoke) + " p" + std::to_string(inv.process) + " :" + inv.f + " ";
  history::append_edn(&s, inv.value);
  if (inv.key) s += " key=" + history::to_edn(*inv.key);
  int64_t c = h.match(invoke);
  if (c == kNoOp) {
    s += " -> never completed";
  } else {
    const Op& done = h[static_cast<size_t>(c)];
    s += " -> :" + std::string(history::to_string(done.type));
    if (done.type == OpType::kOk && done.value != inv.value) s += " " + history::to_edn(done.value);
  }
  if (inv.line > 0) {
    s += " (line " + std::to_string(inv.line);
    if (c != kNoOp && h[static_cast<size_t>(c)].line > 0) s += "-" + std::to_string(h[static_cast<size_t>(c)].line);
    s += ")";
  }
  return s;
}

std::string explain_text(const History& h, const LinearizabilityResult& v, size_t prefix_shown_max) {
  std::string out;
  for (const KeyResult& k : v.keys) {
    if (k.verdict == Verdict::kUnknown) {
      out += fmt::format("{}: unknown: {}\n", key_label(k), k.reason);
      continue;
    }
    if (k.verdict == Verdict::kValid) {
      if (!k.linearization.empty()) {
        out += fmt::format("{}: valid; a linearization ({} ops):\n", key_label(k), k.linearization.size());
        for (size_t i = 0; i < k.linearization.size(); ++i)
          out += fmt::format("  {:>5}. {}\n", i + 1, describe_call(h, k.linearization[i]));
      }
      continue;
    }
    out += fmt::format("{}: invalid: {}\n", key_label(k), k.reason);
    if (!k.explanation) continue;
    const Explanation& e = *k.explanation;
    out += "  cannot linearize: " + describe_call(h, e.failing_op) + "\n";
    size_t shown = std::min(prefix_shown_max, e.prefix.size());
    out += fmt::format("  longest linearizable prefix: {} ops{}\n", e.prefix.size(),
                       shown < e.prefix.size() ? fmt::format(" (last {} shown)", shown) : "");
    for (size_t i = e.prefix.size() - shown; i < e.prefix.size(); ++i)
      out += fmt::format("  {:>5}. {}\n", i + 1, describe_call(h, e.prefix[i]));
    out += fmt::format("  model states after the prefix, from which it cannot be linearized ({}{}):\n", e.states_total,
                       e.states_total > e.states.size() ? fmt::format(", {} shown", e.states.size()) : "");
    for (const auto& s : e.states) out += "    " + s + "\n";
  }
  if (v.keys_not_reported > 0)
    out += fmt::format("({} other keys not checked once a key was found invalid)\n", v.keys_not_reported);
  return out;
}

namespace {

// Draws one key: rows are processes, x is the rank of the event in this key's history.
std::string key_svg(const History& h, const KeyResult& k) {
  std::vector<size_t> calls = k.calls;
  std::unordered_map<size_t, size_t> order;  // invocation -> 1-based linearization position
  const std::vector<size_t>& lin = k.explanation ? k.explanation->prefix : k.linearization;
  for (size_t i = 0; i < lin.size(); ++i) order[lin[i]] = i + 1;
  int64_t failing = k.explanation ? static_cast<int64_t>(k.explanation->failing_op) : -1;
  if (calls.size() > kCallsDrawnMax) {
    size_t at = failing >= 0
                    ? static_cast<size_t>(std::lower_bound(calls.begin(), calls.end(), static_cast<size_t>(failing)) -
                                          calls.begin())
                    : calls.size();
    size_t hi = std::min(calls.size(), at + kCallsDrawnMax / 4);
    size_t lo = hi > kCallsDrawnMax ? hi - kCallsDrawnMax : 0;
    calls = std::vector<size_t>(calls.begin() + static_cast<std::ptrdiff_t>(lo),
                                calls.begin() + static_cast<std::ptrdiff_t>(hi));
  }
  // Ranks of event positions, and one row per process (ascending).
  std::vector<size_t> points;
  std::map<int64_t, int> rows;
  for (size_t c : calls) {
    points.push_back(c);
    if (h.match(c) != kNoOp) points.push_back(static_cast<size_t>(h.match(c)));
    rows.emplace(h[c].process, 0);
  }
  std::sort(points.begin(), points.end());
  int r = 0;
  for (auto& [p, row] : rows) row = r++;
  auto rank = [&](size_t pos) {
    return static_cast<double>(std::lower_bound(points.begin(), points.end(), pos) - points.begin());
  };
  const double dx = 14, dy = 26, left = 60, top = 20;
  double width = left + dx * static_cast<double>(points.size() + 2) + 20;
  double height = top + dy * static_cast<double>(rows.size()) + 30;
  std::string s =
      fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\">\n", width, height);
  for (const auto& [p, row] : rows)
    s += fmt::format("<text x=\"4\" y=\"{:.0f}\" class=\"proc\">p{}</text>\n", top + dy * row + 15, p);
  for (size_t c : calls) {
    int64_t done = h.match(c);
    double x0 = left + dx * rank(c);
    double x1 = done == kNoOp ? width - 10 : left + dx * rank(static_cast<size_t>(done)) + dx * 0.8;
    double y = top + dy * rows[h[c].process];
    std::string cls = "op";
    if (static_cast<int64_t>(c) == failing)
      cls = "op failing";
    else if (order.count(c))
      cls = "op linearized";
    else if (done == kNoOp || h[static_cast<size_t>(done)].type == OpType::kInfo)
      cls = "op pending";
    else if (h[static_cast<size_t>(done)].type == OpType::kFail)
      cls = "op failed";
    s += fmt::format(
        "<g class=\"{}\"><title>{}</title><rect x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"20\" rx=\"3\"/>",
        cls, html_escape(describe_call(h, c)), x0, y, std::max(4.0, x1 - x0));
    auto it = order.find(c);
    std::string label =
        it != order.end() ? std::to_string(it->second) : (static_cast<int64_t>(c) == failing ? "!" : "");
    if (!label.empty()) s += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\">{}</text>", x0 + 3, y + 14, label);
    s += "</g>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace

std::string explain_html(const History& h, const LinearizabilityResult& v, std::string_view title) {
  std::string s = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
                  "</title>\n<style>\n"
                  "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
                  ".verdict-invalid{color:#b00}.verdict-valid{color:#070}.verdict-unknown{color:#a60}\n"
                  "svg{border:1px solid #ccc;background:#fafafa}\n"
                  ".scroll{overflow-x:auto;max-width:100%}\n"
                  ".proc{font:12px monospace;fill:#555}\n"
                  ".op rect{fill:#ddd;stroke:#999}.op text{font:10px monospace;fill:#000}\n"
                  ".linearized rect{fill:#9d9;stroke:#393}.failing rect{fill:#f66;stroke:#900;stroke-width:2}\n"
                  ".pending rect{fill:#fd8;stroke:#c90;stroke-dasharray:3 2}.failed rect{fill:#eee;stroke:#ccc}\n"
                  "table{border-collapse:collapse}td{padding:1px 8px;font:13px monospace}\n"
                  "tr.failing td{background:#fcc;font-weight:bold}\n"
                  "</style></head><body>\n";
  s += "<h1>" + html_escape(title) + "</h1>\n";
  s += fmt::format("<p>Model <b>{}</b>: <b class=\"verdict-{}\">{}</b> ({} key{} checked in {:.1f} ms)</p>\n",
                   html_escape(v.model), to_string(v.verdict), to_string(v.verdict), v.keys_total,
                   v.keys_total == 1 ? "" : "s", v.stats.elapsed_ms);
  s += "<p>Legend: green = linearized (numbered in order), red = cannot be linearized, yellow dashed = indeterminate "
       "(info or "
       "never completed), grey = not reached. Hover an op for its details.</p>\n";
  size_t drawn = 0;
  for (const KeyResult& k : v.keys) {
    bool interesting = k.verdict != Verdict::kValid || !k.linearization.empty();
    if (!interesting && (v.verdict != Verdict::kValid || drawn >= 10)) continue;
    ++drawn;
    s += fmt::format("<h2>{}: <span class=\"verdict-{}\">{}</span></h2>\n", html_escape(key_label(k)),
                     to_string(k.verdict), to_string(k.verdict));
    if (!k.reason.empty()) s += "<p>" + html_escape(k.reason) + "</p>\n";
    if (k.explanation) {
      const Explanation& e = *k.explanation;
      s += "<p>Cannot be linearized: <b>" + html_escape(describe_call(h, e.failing_op)) + "</b></p>\n";
    }
    s += "<div class=\"scroll\">" + key_svg(h, k) + "</div>\n";
    if (k.explanation) {
      const Explanation& e = *k.explanation;
      s +=
          fmt::format("<h3>Longest linearizable prefix ({} ops), then the failing op</h3>\n<table>\n", e.prefix.size());
      for (size_t i = 0; i < e.prefix.size(); ++i)
        s += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", i + 1, html_escape(describe_call(h, e.prefix[i])));
      s += "<tr class=\"failing\"><td>!</td><td>" + html_escape(describe_call(h, e.failing_op)) +
           "</td></tr>\n</table>\n";
      s += fmt::format("<h3>Model states after the prefix ({} distinct{})</h3>\n<ul>\n", e.states_total,
                       e.states_total > e.states.size() ? fmt::format(", {} shown", e.states.size()) : "");
      for (const auto& st : e.states) s += "<li><code>" + html_escape(st) + "</code></li>\n";
      s += "</ul>\n";
    }
  }
  if (v.keys_not_reported > 0)
    s += fmt::format("<p>{} other keys not checked once a key was found invalid.</p>\n", v.keys_not_reported);
  s += "</body></html>\n";
  return s;
}

}  // namespace squall::checker
