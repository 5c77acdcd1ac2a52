#include "viz/message_diagram.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/assert.h"
#include "viz/escape.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

constexpr double kClientLaneGap = 70;
constexpr double kLaneGap = 130;
constexpr double kRowHeight = 18;
constexpr double kLeft = 90;  // room for the time labels
constexpr double kBottom = 40;
constexpr size_t kHeaderEvery = 60;   // rows between repeated lane names
constexpr double kBandHeight = 3600;  // px of a page's drawing in one <svg> (200 rows)
constexpr size_t kTimeEvery = 8;      // rows at least between time labels
constexpr const char* kClientsLane = "clients";

bool numbered(const std::string& name, char prefix) {
  return name.size() > 1 && name[0] == prefix &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Numbered names in numeric order (n2 before n10), then by name.
bool lane_less(const std::string& a, const std::string& b) {
  int ca = lane_class(a), cb = lane_class(b);
  if (ca != cb) return ca < cb;
  if (a.size() != b.size() && (numbered(a, 'n') || numbered(a, 'c')) && (numbered(b, 'n') || numbered(b, 'c')))
    return a.size() < b.size();
  return a < b;
}

struct Event {
  int64_t t_ns;
  size_t message;
  bool end;
};

// One class per fate on the message's own <path>, so a message is one element: no
// <marker> per arrow head (the head is part of the path) and no per-element styling.
constexpr std::string_view kStyle = R"(<style>
text { font-family: monospace; font-size: 11px; }
.lane { stroke: #bbb; stroke-width: 1; }
.name { font-weight: bold; text-anchor: middle; font-size: 12px; }
.time { fill: #777; text-anchor: end; }
.note { fill: #a00; font-size: 12px; }
.fault { fill: #f6d2d2; fill-opacity: 0.55; }
.fault-label { fill: #a33; font-size: 11px; }
.focus { stroke: #c00; stroke-width: 2; stroke-dasharray: 6 3; }
path.msg, path.cont { fill: none; stroke: #222; stroke-width: 1.2; }
path.client { stroke: #1f63b0; }
path.dropped { stroke: #d00; stroke-width: 1.5; }
path.inflight { stroke: #999; stroke-dasharray: 4 3; }
.label { text-anchor: middle; fill: #222; }
.label.client { fill: #1f63b0; }
.label.dropped { fill: #d00; }
.label.inflight { fill: #999; }
path.msg:hover, path.on { stroke-width: 3; }
</style>
)";

// Label boxes already drawn, on a coarse grid: a label is drawn only where it overlaps
// none, so a dense window shows some readable labels rather than an unreadable smear
// (and far fewer text elements to lay out). The hover text always has the full body.
class LabelSpace {
 public:
  bool place(double mid_x, double base_y, std::string_view label) {
    size_t chars = 0;
    for (char c : label) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    double half = static_cast<double>(chars) * kCharWidth / 2;
    auto col = [](double x) { return static_cast<int64_t>(std::floor(x / kCellWidth)); };
    auto row = [](double y) { return static_cast<int64_t>(std::floor(y / kCellHeight)); };
    int64_t c0 = col(mid_x - half), c1 = col(mid_x + half), r0 = row(base_y - 10), r1 = row(base_y + 2);
    for (int64_t r = r0; r <= r1; ++r)
      for (int64_t c = c0; c <= c1; ++c)
        if (used_.count(key(r, c))) return false;
    for (int64_t r = r0; r <= r1; ++r)
      for (int64_t c = c0; c <= c1; ++c) used_.insert(key(r, c));
    return true;
  }

 private:
  static constexpr double kCharWidth = 6.6;  // 11px monospace
  static constexpr double kCellWidth = 8, kCellHeight = 6;
  static uint64_t key(int64_t r, int64_t c) {
    return (static_cast<uint64_t>(r) << 32) ^ static_cast<uint64_t>(static_cast<uint32_t>(c));
  }
  std::unordered_set<uint64_t> used_;
};

constexpr std::string_view kHeaderStyle =
    "<style>.name { font-family: monospace; font-weight: bold; text-anchor: middle; font-size: 12px; }</style>";

// kFile and kEmbedded carry their hover text in a <title> per message and repeat the
// lane names down the drawing; kPage leaves both to the page (hover_json(), lane_header()).
enum class Mode { kFile, kEmbedded, kPage };

class Diagram {
 public:
  Diagram(const DiagramView& view, Mode mode) : view_(view), mode_(mode) {
    top_ = 30 + 16 * static_cast<double>(view.notes.size()) + 30;
    place_lanes();
    for (size_t i = 0; i < view.messages.size(); ++i) {
      const DiagramMessage& m = view.messages[i];
      events_.push_back({m.send_ns, i, false});
      if (m.fate != MessageFate::kInFlight) events_.push_back({m.end_ns, i, true});
    }
    // Stable: a send stays above its own receipt even when both have the same time.
    std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) { return a.t_ns < b.t_ns; });
    send_row_.assign(view.messages.size(), 0);
    end_row_.assign(view.messages.size(), SIZE_MAX);
    for (size_t r = 0; r < events_.size(); ++r) (events_[r].end ? end_row_ : send_row_)[events_[r].message] = r;
    for (size_t i = 0; i < view.messages.size(); ++i) arrows_.push_back(arrow(i));
  }

  std::string render() {
    double width = this->width();
    double height = top_ + static_cast<double>(events_.size() + 1) * kRowHeight + kBottom;
    if (mode_ != Mode::kPage) {
      if (mode_ == Mode::kFile) w_.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
      w_.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                      {"class", "diagram"},
                      {"width", num(width)},
                      {"height", num(height)},
                      {"viewBox", fmt::format("0 0 {} {}", num(width), num(height))}});
      w_.raw("\n");
      w_.raw(kStyle);
      w_.element("title", {}, "Squall message diagram");
      band({0, height}, width, height, {}, {});
      w_.close("svg");
      return w_.finish();
    }
    // A page: bands of kBandHeight px, each its own <svg> viewing its part of the one
    // coordinate space, in a box the browser skips (content-visibility) until scrolled
    // near, so opening a page lays out the visible band rather than the whole drawing.
    size_t bands = static_cast<size_t>(std::ceil(height / kBandHeight));
    std::vector<std::vector<size_t>> paths(bands), labels(bands);
    auto band_of = [&](double y) { return std::min(bands - 1, static_cast<size_t>(std::max(0.0, y) / kBandHeight)); };
    for (size_t i = 0; i < view_.messages.size(); ++i) {
      auto [y1, y2] = message_ys(i);
      for (size_t b = band_of(std::min(y1, y2) - 8); b <= band_of(std::max(y1, y2) + 8); ++b) paths[b].push_back(i);
      labels[band_of(label_y(i))].push_back(i);
    }
    w_.raw(
        fmt::format("<style>.band {{ content-visibility: auto; contain-intrinsic-size: auto {}px; }} "
                    ".band svg {{ display: block; }}</style>\n",
                    kBandHeight));
    for (size_t b = 0; b < bands; ++b) {
      Band band{static_cast<double>(b) * kBandHeight, std::min(height, static_cast<double>(b + 1) * kBandHeight)};
      if (b + 1 < bands)
        w_.open("div", {{"class", "band"}});
      else
        w_.open("div", {{"class", "band"},
                        {"style", fmt::format("contain-intrinsic-size: auto {}px", num(band.y1 - band.y0))}});
      w_.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                      {"class", "diagram"},
                      {"width", num(width)},
                      {"height", num(band.y1 - band.y0)},
                      {"viewBox", fmt::format("0 {} {} {}", num(band.y0), num(width), num(band.y1 - band.y0))}});
      if (b == 0) w_.raw(kStyle);
      this->band(band, width, height, paths[b], labels[b]);
      w_.close("svg");
      w_.close("div");
      w_.raw("\n");
    }
    return w_.finish();
  }

  // The lane names once, as a strip of the drawing's width (kPage keeps it in view).
  std::string lane_header() const {
    XmlWriter w;
    w.open(
        "svg",
        {{"xmlns", "http://www.w3.org/2000/svg"}, {"class", "lane-names"}, {"width", num(width())}, {"height", "20"}});
    w.raw(kHeaderStyle);
    for (const std::string& l : lanes_)
      w.element("text", {{"class", "name"}, {"x", num(lane_x_.at(l))}, {"y", "15"}}, shown_name(l));
    w.close("svg");
    return w.finish();
  }

  // {"<id>": "<hover text>", ...} for every drawn message (kPage).
  std::string hover_json() const { return hover_ + "}"; }

 private:
  double width() const { return kLeft + std::max(kLaneGap, lanes_width_) + 40; }
  std::string shown_name(const std::string& lane) const {
    return lane == kClientsLane ? fmt::format("{} clients", grouped_clients_) : lane;
  }

  struct Band {
    double y0, y1;
    bool holds(double y) const { return y >= y0 && y < y1; }
  };

  // What lies in `band`: everything for one-band drawings (`paths` and `labels` then
  // empty, meaning every message), else the listed messages' paths and labels.
  void band(const Band& band, double width, double height, const std::vector<size_t>& paths,
            const std::vector<size_t>& labels) {
    double y = 18;
    for (const std::string& n : view_.notes) {
      if (band.holds(y)) w_.element("text", {{"class", "note"}, {"x", "10"}, {"y", num(y)}}, n);
      y += 16;
    }
    faults(band, width);
    lanes(band, height);
    times(band);
    focus(band, width);
    if (mode_ != Mode::kPage) {
      for (size_t i = 0; i < view_.messages.size(); ++i) {
        message(i, true);
        label(i, true);
      }
      return;
    }
    for (size_t i : paths) message(i, band.holds(message_ys(i).first));
    for (size_t i : labels) label(i, false);
  }

  const std::string& lane_of(const std::string& endpoint) const {
    auto it = lane_name_.find(endpoint);
    SQ_ASSERT(it != lane_name_.end());
    return it->second;
  }
  double lane_x(const std::string& endpoint) const { return lane_x_.at(lane_of(endpoint)); }
  double row_y(size_t row) const { return top_ + (static_cast<double>(row) + 1) * kRowHeight; }

  void place_lanes() {
    std::vector<std::string> names;
    for (const DiagramMessage& m : view_.messages) {
      names.push_back(m.src);
      names.push_back(m.dest);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    size_t clients = static_cast<size_t>(
        std::count_if(names.begin(), names.end(), [](const std::string& n) { return lane_class(n) == 2; }));
    bool group = clients > kClientLanes;
    for (const std::string& n : names) lane_name_[n] = group && lane_class(n) == 2 ? kClientsLane : n;
    for (const auto& [endpoint, lane] : lane_name_)
      if (std::find(lanes_.begin(), lanes_.end(), lane) == lanes_.end()) lanes_.push_back(lane);
    std::sort(lanes_.begin(), lanes_.end(), [](const std::string& a, const std::string& b) {
      if (a == kClientsLane || b == kClientsLane) return b == kClientsLane && a != kClientsLane;
      return lane_less(a, b);
    });
    double left = kLeft;
    for (const std::string& l : lanes_) {
      double gap = l == kClientsLane ? kLaneGap : lane_class(l) == 2 ? kClientLaneGap : kLaneGap;
      lane_x_[l] = left + gap / 2;
      left += gap;
    }
    lanes_width_ = left - kLeft;
    grouped_clients_ = group ? clients : 0;
  }

  // The y of time t: the first row at or after it (the end of the drawing past the last).
  double y_of_time(int64_t t) const {
    auto it = std::lower_bound(events_.begin(), events_.end(), t, [](const Event& e, int64_t v) { return e.t_ns < v; });
    return row_y(static_cast<size_t>(it - events_.begin())) - kRowHeight / 2;
  }

  void faults(const Band& band, double width) {
    for (const Window& f : view_.faults) {
      double a = y_of_time(f.start_ns), b = y_of_time(f.end_ns);
      bool starts_here = band.holds(a);
      a = std::max(a, band.y0);
      b = std::min(b, band.y1);
      if (b <= a) continue;  // no drawn event falls inside it (in this band)
      if (!starts_here) {
        w_.leaf("rect", {{"class", "fault"},
                         {"x", num(kLeft)},
                         {"y", num(a)},
                         {"width", num(width - kLeft - 10)},
                         {"height", num(b - a)}});
        continue;
      }
      w_.open("g", {{"class", "fault-window"}});
      w_.element("title", {},
                 fmt::format("{} from {:.3f} ms to {:.3f} ms", f.label, static_cast<double>(f.start_ns) / 1e6,
                             static_cast<double>(f.end_ns) / 1e6));
      w_.leaf("rect", {{"class", "fault"},
                       {"x", num(kLeft)},
                       {"y", num(a)},
                       {"width", num(width - kLeft - 10)},
                       {"height", num(b - a)}});
      w_.element("text", {{"class", "fault-label"}, {"x", num(kLeft + 4)}, {"y", num(a + 12)}}, f.label);
      w_.close("g");
    }
  }

  void lanes(const Band& band, double height) {
    for (const std::string& l : lanes_) {
      double x = lane_x_.at(l);
      w_.leaf("line", {{"class", "lane"},
                       {"x1", num(x)},
                       {"y1", num(std::max(top_ - 8, band.y0))},
                       {"x2", num(x)},
                       {"y2", num(std::min(height - kBottom / 2, band.y1))}});
      if (mode_ == Mode::kPage) continue;  // lane_header() names them
      std::string shown = shown_name(l);
      for (size_t row = 0; row == 0 || row < events_.size(); row += kHeaderEvery)
        w_.element("text", {{"class", "name"}, {"x", num(x)}, {"y", num(row_y(row) - kRowHeight - 4)}}, shown);
    }
  }

  // A time label whenever the clock moved and the last label is a few rows up.
  void times(const Band& band) {
    size_t last = SIZE_MAX;
    int64_t last_t = INT64_MIN;
    for (size_t row = 0; row < events_.size(); ++row) {
      int64_t t = events_[row].t_ns;
      if (t == last_t || (last != SIZE_MAX && row - last < kTimeEvery)) continue;
      if (band.holds(row_y(row) + 4))
        w_.element("text", {{"class", "time"}, {"x", num(kLeft - 8)}, {"y", num(row_y(row) + 4)}},
                   fmt::format("{:.3f} ms", static_cast<double>(t) / 1e6));
      last = row;
      last_t = t;
    }
  }

  void focus(const Band& band, double width) {
    if (view_.focus_ns < 0) return;
    double y = y_of_time(view_.focus_ns);
    if (!band.holds(y)) return;
    w_.open("g", {{"id", "focus"}});
    w_.element("title", {}, fmt::format("{:.3f} ms", static_cast<double>(view_.focus_ns) / 1e6));
    w_.leaf("line", {{"class", "focus"}, {"x1", num(kLeft)}, {"y1", num(y)}, {"x2", num(width - 10)}, {"y2", num(y)}});
    w_.close("g");
  }

  struct Arrow {
    double x1, y1, x2, y2;
    std::string_view fate;  // the class naming how it ended
  };

  Arrow arrow(size_t i) const {
    const DiagramMessage& m = view_.messages[i];
    bool client = lane_class(m.src) == 2 || lane_class(m.dest) == 2;
    bool open = m.fate == MessageFate::kInFlight;
    Arrow a{lane_x(m.src), row_y(send_row_[i]), lane_x(m.dest), open ? row_y(events_.size()) : row_y(end_row_[i]),
            open                              ? "inflight"
            : m.fate == MessageFate::kDropped ? "dropped"
            : client                          ? "delivered client"
                                              : "delivered"};
    if (m.fate == MessageFate::kDropped) a.x2 = a.x1 + (a.x2 - a.x1) * 0.6;  // a drop never reaches its lane
    if (a.x1 == a.x2) a.x2 += 24;  // two clients sharing a lane: a visible hook instead of a dot
    return a;
  }
  std::pair<double, double> message_ys(size_t i) const {
    const Arrow& a = arrows_[i];
    return {a.y1, a.y2};
  }
  double label_y(size_t i) const {
    auto [y1, y2] = message_ys(i);
    return (y1 + y2) / 2 - 3;
  }

  // One <path> per message: the shaft and its head (an arrow), or its x (a drop). The
  // primary one (the band of its send, or the whole drawing) has the class "msg", the id
  // and the hover text; where a page's band cuts it, the continuation in the next band is
  // class "cont" and names its message in data-m.
  void message(size_t i, bool primary) {
    const DiagramMessage& m = view_.messages[i];
    const Arrow& a = arrows_[i];
    std::string d = fmt::format("M{} {}L{} {}", num(a.x1), num(a.y1), num(a.x2), num(a.y2));
    if (m.fate == MessageFate::kDropped) {
      d += fmt::format("M{} {}l8 8m-8 0l8 -8", num(a.x2 - 4), num(a.y2 - 4));
    } else {
      double len = std::hypot(a.x2 - a.x1, a.y2 - a.y1), ux = (a.x2 - a.x1) / len, uy = (a.y2 - a.y1) / len;
      double bx = a.x2 - 7 * ux, by = a.y2 - 7 * uy;
      d += fmt::format("M{} {}L{} {}L{} {}", num(bx - 3.5 * uy), num(by + 3.5 * ux), num(a.x2), num(a.y2),
                       num(bx + 3.5 * uy), num(by - 3.5 * ux));
    }
    if (!primary) {
      w_.leaf("path", {{"class", fmt::format("cont {}", a.fate)}, {"data-m", fmt::format("{}", m.id)}, {"d", d}});
      return;
    }
    std::string cls = fmt::format("msg {}", a.fate);
    std::string id = fmt::format("m{}", m.id);
    std::string hover = fmt::format("{} → {} #{} sent at {:.3f} ms, {}", m.src, m.dest, m.id,
                                    static_cast<double>(m.send_ns) / 1e6, fate_name(m.fate));
    if (m.fate != MessageFate::kInFlight) hover += fmt::format(" at {:.3f} ms", static_cast<double>(m.end_ns) / 1e6);
    hover += "\n" + (m.body.empty() ? std::string("(body not kept)") : m.body);
    if (mode_ == Mode::kPage) {
      w_.leaf("path", {{"class", cls}, {"id", id}, {"d", d}});
      hover_ += fmt::format("{}\"{}\":{}", hover_.empty() ? "{" : ",", m.id, json_string_for_script(hover));
    } else {
      w_.open("path", {{"class", cls}, {"id", id}, {"d", d}});
      w_.element("title", {}, hover);
      w_.close("path");
    }
  }

  // The message's type (and short body) at the middle of its arrow, where it overlaps no
  // label drawn before; on a page it names its message in data-m for the hover script.
  void label(size_t i, bool titled) {
    const DiagramMessage& m = view_.messages[i];
    const Arrow& a = arrows_[i];
    std::string text = m.body.empty() ? fmt::format("#{}", m.id) : MessageLabels::label_of(m.body);
    double lx = (a.x1 + a.x2) / 2, ly = (a.y1 + a.y2) / 2 - 3;
    if (!labels_.place(lx, ly, text)) return;
    std::string cls = fmt::format("label {}", a.fate);
    if (titled)
      w_.element("text", {{"class", cls}, {"x", num(lx)}, {"y", num(ly)}}, text);
    else
      w_.element("text", {{"class", cls}, {"data-m", fmt::format("{}", m.id)}, {"x", num(lx)}, {"y", num(ly)}}, text);
  }

  const DiagramView& view_;
  Mode mode_;
  LabelSpace labels_;
  std::string hover_;
  double top_ = 0;
  std::vector<Event> events_;
  std::vector<size_t> send_row_, end_row_;
  std::vector<Arrow> arrows_;                     // of each message, computed once
  std::map<std::string, std::string> lane_name_;  // endpoint -> lane
  std::vector<std::string> lanes_;
  std::unordered_map<std::string, double> lane_x_;
  double lanes_width_ = 0;
  size_t grouped_clients_ = 0;
  XmlWriter w_;
};

}  // namespace

std::string_view fate_name(MessageFate f) {
  switch (f) {
    case MessageFate::kDelivered: return "delivered";
    case MessageFate::kDropped: return "dropped";
    case MessageFate::kInFlight: return "in-flight";
  }
  SQ_UNREACHABLE("fate");
}

int lane_class(const std::string& name) {
  if (numbered(name, 'c')) return 2;
  return name.find('-') != std::string::npos ? 1 : 0;
}

std::string render_diagram_svg(const DiagramView& view, bool standalone) {
  return Diagram(view, standalone ? Mode::kFile : Mode::kEmbedded).render();
}

DiagramPage render_diagram_page(const DiagramView& view) {
  Diagram d(view, Mode::kPage);
  DiagramPage page;
  page.svg = d.render();
  page.lane_header = d.lane_header();
  page.hover_json = view.messages.empty() ? "{}" : d.hover_json();
  return page;
}

std::vector<DiagramMessage> messages_of(const net::Journal& journal, const std::vector<std::string>& names,
                                        const MessageLabels& labels, size_t max_messages) {
  std::vector<DiagramMessage> out;
  std::unordered_map<int64_t, size_t> by_id;
  size_t open = 0;
  for (const net::JournalEntry& e : journal.entries()) {
    if (e.event == net::JournalEvent::kSend) {
      // Once every kept message has ended, the rest of a long journal is irrelevant.
      if (out.size() >= max_messages) {
        if (open == 0) break;
        continue;
      }
      SQ_ASSERT(e.src < names.size() && e.dest < names.size());
      by_id[e.msg_id] = out.size();
      DiagramMessage m;
      m.id = e.msg_id;
      m.src = names[e.src];
      m.dest = names[e.dest];
      m.send_ns = e.t_ns;
      if (const MessageLabel* l = labels.find(e.msg_id)) m.body = l->body;
      out.push_back(std::move(m));
      ++open;
      continue;
    }
    auto it = by_id.find(e.msg_id);
    if (it == by_id.end()) continue;
    DiagramMessage& m = out[it->second];
    SQ_ASSERT(m.fate == MessageFate::kInFlight);  // a message is received or dropped once
    m.end_ns = e.t_ns;
    m.fate = e.event == net::JournalEvent::kDrop ? MessageFate::kDropped : MessageFate::kDelivered;
    by_id.erase(it);
    --open;
  }
  return out;
}

std::string render_message_diagram(const net::Journal& journal, const std::vector<std::string>& names,
                                   const MessageLabels& labels, const DiagramOptions& options) {
  DiagramView view;
  view.messages = messages_of(journal, names, labels, options.max_messages);
  const net::NetStats& s = journal.stats();
  view.notes.push_back(fmt::format("{} messages sent, {} received, {} dropped by partitions", s.all.msg_count,
                                   s.all.recv_count, s.dropped_partition));
  size_t total = static_cast<size_t>(s.all.send_count);
  if (journal.truncated()) {
    view.notes.push_back(
        fmt::format("The network journal was truncated after {} events: showing the first {} of {} messages",
                    journal.entries().size(), view.messages.size(), s.all.msg_count));
  } else if (total > view.messages.size()) {
    view.notes.push_back(fmt::format("Showing the first {} of {} messages (squall serve pages through all of them)",
                                     view.messages.size(), total));
  }
  return render_diagram_svg(view, true);
}

}  // namespace squall::viz
