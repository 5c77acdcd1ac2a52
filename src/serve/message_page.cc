#include "serve/message_page.h"

#include <charconv>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "serve/run_history.h"
#include "serve/run_page.h"
#include "viz/escape.h"
#include "viz/message_diagram.h"
#include "viz/message_table.h"

namespace squall::serve {
namespace fs = std::filesystem;
using viz::escape_xml;

namespace {

constexpr int64_t kHalfWindowNs = 500'000'000;  // `at` looks this far either side
constexpr size_t kCap = viz::kMaxDrawnMessages;

constexpr std::string_view kMessagePageStyle = R"(<style>
body { font-family: sans-serif; font-size: 14px; margin: 16px; }
nav a, nav span { margin-right: 14px; }
form { display: inline; } input { width: 90px; }
.diagram-box { overflow: auto; max-height: calc(100vh - 40px); border: 1px solid #ddd; margin-top: 10px; }
.lane-names { position: sticky; top: 0; z-index: 1; display: block; background: #fff; border-bottom: 1px solid #ddd; }
#tip { position: fixed; max-width: 60em; background: #ffffe8; border: 1px solid #999; padding: 4px 6px;
  font: 12px monospace; white-space: pre-wrap; word-break: break-all; pointer-events: none; }
</style>
)";

// Hover: one listener for the whole drawing shows the text the page's table holds for the
// message under the pointer (or under its label or continuation, which name it in
// data-m), instead of a <title> per message for the browser to build. A link ending in
// #m<id> shows that message's text; without a fragment the page scrolls to the marked time (the anomaly or
// fault the window was chosen for), as a link ending in #focus would.
constexpr std::string_view kScript = R"(<script>
(function () {
  var tip = document.getElementById('tip'), table = null, on = null;
  function message(el) {
    if (el && el.dataset && el.dataset.m) el = document.getElementById('m' + el.dataset.m);
    return el && el.classList && el.classList.contains('msg') ? el : null;
  }
  function show(el, x, y) {
    if (!table) table = JSON.parse(document.getElementById('hover-data').textContent);
    if (on) on.classList.remove('on');
    on = el;
    el.classList.add('on');
    tip.textContent = table[el.id.slice(1)] || '';
    tip.style.left = Math.min(x + 12, window.innerWidth - 300) + 'px';
    tip.style.top = Math.min(y + 12, window.innerHeight - 120) + 'px';
    tip.hidden = false;
  }
  function hide() {
    if (on) on.classList.remove('on');
    on = null;
    tip.hidden = true;
  }
  var box = document.querySelector('.diagram-box');
  box.addEventListener('mouseover', function (e) {
    var m = message(e.target);
    if (m) show(m, e.clientX, e.clientY);
  });
  box.addEventListener('mouseout', function (e) { if (message(e.target)) hide(); });
  var linked = location.hash.length > 2 ? document.getElementById(location.hash.slice(1)) : null;
  if (linked && message(linked) === linked) {
    linked.scrollIntoView({block: 'center'});
    var r = linked.getBoundingClientRect();
    show(linked, r.left, r.top);
  } else if (!location.hash) {
    var focus = document.getElementById('focus');
    if (focus) {
      focus.scrollIntoView({block: 'center'});
      box.scrollLeft = 0;  // the focus line is as wide as the drawing: keep the times in view
    }
  }
})();
</script>
)";

std::optional<double> number_param(const std::string& query, std::string_view name) {
  auto text = query_param(query, name);
  if (!text || text->empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || !std::isfinite(v) || std::fabs(v) > 1e12)
    return std::nullopt;
  return v;
}

int64_t ms_to_ns(double ms) { return static_cast<int64_t>(ms * 1e6); }

// What the query asks for.
struct Ask {
  enum class Kind { kAround, kRange, kAfter, kBefore } kind = Kind::kAround;
  int64_t from_ns = 0, to_ns = INT64_MAX, at_ns = 0, id = 0;
};

struct Selection {
  std::vector<viz::DiagramMessage> messages;
  size_t malformed = 0;
  size_t total = 0;  // lines read (messages in the run, as far as scanned)
  bool scanned_all = true;
  int64_t first_id = -1;    // of the whole file
  bool more_after = false;  // messages in the asked range were left out after the last
  std::string first_error;  // of a malformed line, with its line number
};

// Whether a line can be passed over unparsed: it lies before the window (a malformed
// line is never skipped, so that it is counted). Lines after the window end the scan.
bool skippable(std::string_view line, const Ask& r, bool have_first_id) {
  if (!have_first_id) return false;
  switch (r.kind) {
    case Ask::Kind::kAround: {
      auto t = viz::message_row_send_ns(line);
      return t && *t < r.at_ns - kHalfWindowNs;
    }
    case Ask::Kind::kRange: {
      auto t = viz::message_row_send_ns(line);
      return t && *t < r.from_ns;
    }
    case Ask::Kind::kAfter: {
      int64_t id = 0;
      auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), id);
      return ec == std::errc() && p < line.data() + line.size() && *p == '\t' && id <= r.id;
    }
    case Ask::Kind::kBefore: return false;
  }
  return false;
}

// Scans messages.tsv once, keeping what the request selects.
Selection select(const fs::path& file, const Ask& r) {
  Selection s;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  std::deque<viz::DiagramMessage> before;  // around/before: a bounded tail of earlier messages
  size_t line_no = 0;
  bool past_window = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    ++s.total;
    // Most lines of a long run lie outside the window: skip them on their send time or
    // id alone, without parsing (and allocating) the whole line.
    if (skippable(line, r, s.first_id >= 0)) continue;
    auto m = viz::parse_message_row(line);
    if (!m.ok()) {
      if (s.malformed++ == 0) s.first_error = fmt::format("messages.tsv:{}: {}", line_no, m.error());
      continue;
    }
    if (s.first_id < 0) s.first_id = m->id;
    bool full = s.messages.size() + before.size() >= kCap;
    switch (r.kind) {
      case Ask::Kind::kRange:
        if (m->send_ns > r.to_ns) past_window = true;  // the file is in send order
        if (m->send_ns < r.from_ns || m->send_ns > r.to_ns) break;
        if (full)
          s.more_after = true;
        else
          s.messages.push_back(std::move(*m));
        break;
      // Ids are given in send order, so the file is sorted by id.
      case Ask::Kind::kAfter:
        if (m->id > r.id) {
          if (full)
            s.more_after = true;
          else
            s.messages.push_back(std::move(*m));
        }
        break;
      case Ask::Kind::kBefore:
        if (m->id >= r.id) {
          s.more_after = true;
          break;
        }
        before.push_back(std::move(*m));
        if (before.size() > kCap) before.pop_front();
        break;
      case Ask::Kind::kAround:
        if (m->send_ns < r.at_ns - kHalfWindowNs || m->send_ns > r.at_ns + kHalfWindowNs) {
          if (m->send_ns > r.at_ns + kHalfWindowNs) s.more_after = true;
          break;
        }
        if (m->send_ns < r.at_ns) {
          before.push_back(std::move(*m));
          if (before.size() > kCap / 2) before.pop_front();
        } else if (full) {
          s.more_after = true;
        } else {
          s.messages.push_back(std::move(*m));
        }
        break;
    }
    // Everything asked for is in hand: the rest of a long file is not needed, but one
    // more line tells whether there is more.
    if (past_window || (s.more_after && r.kind != Ask::Kind::kBefore)) {
      s.scanned_all = false;
      break;
    }
  }
  s.messages.insert(s.messages.begin(), std::make_move_iterator(before.begin()), std::make_move_iterator(before.end()));
  return s;
}

Ask parse_ask(const std::string& dir, const std::string& query, const RunHistory& history) {
  Ask r;
  if (auto a = number_param(query, "after")) {
    r.kind = Ask::Kind::kAfter;
    r.id = static_cast<int64_t>(*a);
  } else if (auto b = number_param(query, "before")) {
    r.kind = Ask::Kind::kBefore;
    r.id = static_cast<int64_t>(*b);
  } else if (auto from = number_param(query, "from"), to = number_param(query, "to"); from || to) {
    r.kind = Ask::Kind::kRange;
    r.from_ns = from ? ms_to_ns(*from) : 0;
    r.to_ns = to ? ms_to_ns(*to) : INT64_MAX;
  } else if (auto at = number_param(query, "at")) {
    r.at_ns = ms_to_ns(*at);
  } else {
    // The default: around the first anomaly, else the first fault, else the start.
    int64_t t = first_anomaly_ns(dir, history);
    if (t < 0 && !history.faults().empty()) t = history.faults().front().start_ns;
    r.at_ns = std::max<int64_t>(0, t);
  }
  return r;
}

std::string ms(int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

}  // namespace

Response render_message_page(const std::string& dir_text, const std::string& url_base, const std::string& query) {
  fs::path dir(dir_text);
  std::error_code ec;
  if (!fs::is_regular_file(dir / "messages.tsv", ec))
    return error_response(404, "this run has no messages.tsv (runs before this version drew only messages.svg)");
  RunHistory history = RunHistory::read((dir / "history.edn").string());
  Ask r = parse_ask(dir_text, query, history);
  Selection s = select(dir / "messages.tsv", r);

  viz::DiagramView view;
  view.messages = std::move(s.messages);
  view.faults = history.faults();
  for (viz::Window& f : view.faults) f.label = viz::clip_utf8(f.label, 100);
  if (r.kind == Ask::Kind::kAround) view.focus_ns = r.at_ns;
  if (s.malformed > 0)
    view.notes.push_back(fmt::format("{} malformed lines skipped; the first: {}", s.malformed, s.first_error));

  std::string nav = fmt::format("<a href=\"{}\">run page</a>", escape_xml(url_base));
  if (!view.messages.empty()) {
    const auto& first = view.messages.front();
    const auto& last = view.messages.back();
    if (first.id != s.first_id)
      nav += fmt::format("<a id=\"earlier\" href=\"messages?before={}\">earlier</a>", first.id);
    if (s.more_after || r.kind != Ask::Kind::kAfter)
      nav += fmt::format("<a id=\"later\" href=\"messages?after={}\">later</a>", last.id);
    nav += fmt::format("<span id=\"window\">{} messages, #{} to #{}, sent {} ms to {} ms</span>", view.messages.size(),
                       first.id, last.id, ms(first.send_ns), ms(last.send_ns));
  } else {
    nav += "<span id=\"window\">no messages in this window</span><a href=\"messages?after=0\">the first messages</a>";
  }
  nav += fmt::format(
      "<form method=\"get\" action=\"messages\">from <input name=\"from\" value=\"{}\"/> to <input name=\"to\" "
      "value=\"{}\"/> ms <button type=\"submit\">show</button></form>",
      view.messages.empty() ? std::string() : ms(view.messages.front().send_ns),
      view.messages.empty() ? std::string() : ms(view.messages.back().send_ns));
  std::string faults;
  for (const viz::Window& f : view.faults)
    faults += fmt::format("<li><a href=\"messages?at={}#focus\">{}</a> at {} ms</li>", f.start_ns / 1'000'000,
                          escape_xml(f.label), ms(f.start_ns));
  viz::DiagramPage drawing = viz::render_diagram_page(view);
  Response resp;
  resp.content_type = "text/html; charset=utf-8";
  resp.body = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>messages {}</title>\n{}</head>"
      "<body>\n<h1>Messages of {}</h1>\n<nav>{}</nav>\n<p>{} messages in the run. Hover over an arrow for its "
      "body.{}</p>\n{}<div class=\"diagram-box\">{}{}</div>\n<div id=\"tip\" hidden=\"hidden\"></div>\n"
      "<script type=\"application/json\" id=\"hover-data\">{}</script>\n{}</body></html>\n",
      escape_xml(url_base), kMessagePageStyle, escape_xml(url_base), nav,
      s.scanned_all ? fmt::format("{}", s.total) : fmt::format("At least {}", s.total),
      r.kind == Ask::Kind::kAround ? " The dashed red line marks the time asked for." : "",
      faults.empty() ? "" : "<details><summary>Faults</summary><ul>" + faults + "</ul></details>\n",
      drawing.lane_header, drawing.svg, drawing.hover_json, kScript);
  return resp;
}

}  // namespace squall::serve
