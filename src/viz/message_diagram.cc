#include "viz/message_diagram.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "core/assert.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

constexpr double kClientLaneGap = 70;
constexpr double kLaneGap = 130;
constexpr double kRowHeight = 18;
constexpr double kLeft = 90;  // room for the time labels
constexpr double kBottom = 40;
constexpr size_t kHeaderEvery = 60;  // rows between repeated lane names
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

constexpr std::string_view kStyle = R"(<style>
text { font-family: monospace; font-size: 11px; }
.lane { stroke: #bbb; stroke-width: 1; }
.name { font-weight: bold; text-anchor: middle; font-size: 12px; }
.time { fill: #777; text-anchor: end; }
.note { fill: #a00; font-size: 12px; }
.fault { fill: #f6d2d2; fill-opacity: 0.55; }
.fault-label { fill: #a33; font-size: 11px; }
.focus { stroke: #c00; stroke-width: 2; stroke-dasharray: 6 3; }
.delivered line { stroke: #222; stroke-width: 1.2; }
.delivered.client line { stroke: #1f63b0; }
.delivered text { fill: #222; }
.delivered.client text { fill: #1f63b0; }
.dropped line, .dropped path { stroke: #d00; stroke-width: 1.5; }
.dropped text { fill: #d00; }
.inflight line { stroke: #999; stroke-dasharray: 4 3; }
.inflight text { fill: #999; }
g.msg:hover line { stroke-width: 3; }
</style>
)";

constexpr std::string_view kMarkers =
    R"(<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#222"/></marker><marker id="head-c" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f63b0"/></marker><marker id="head-g" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#999"/></marker></defs>
)";

class Diagram {
 public:
  explicit Diagram(const DiagramView& view) : view_(view) {
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
  }

  std::string render(bool standalone) {
    double width = kLeft + std::max(kLaneGap, lanes_width_) + 40;
    double height = top_ + static_cast<double>(events_.size() + 1) * kRowHeight + kBottom;
    if (standalone) w_.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w_.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                    {"class", "diagram"},
                    {"width", num(width)},
                    {"height", num(height)},
                    {"viewBox", fmt::format("0 0 {} {}", num(width), num(height))}});
    w_.raw("\n");
    w_.raw(kStyle);
    w_.raw(kMarkers);
    w_.element("title", {}, "Squall message diagram");
    double y = 18;
    for (const std::string& n : view_.notes) {
      w_.element("text", {{"class", "note"}, {"x", "10"}, {"y", num(y)}}, n);
      y += 16;
    }
    faults(width);
    lanes(height);
    times();
    focus(width);
    for (size_t i = 0; i < view_.messages.size(); ++i) message(i);
    w_.close("svg");
    return w_.finish();
  }

 private:
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

  void faults(double width) {
    for (const Window& f : view_.faults) {
      double a = y_of_time(f.start_ns), b = y_of_time(f.end_ns);
      if (b <= a) continue;  // no drawn event falls inside it
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

  void lanes(double height) {
    for (const std::string& l : lanes_) {
      double x = lane_x_.at(l);
      w_.leaf("line", {{"class", "lane"},
                       {"x1", num(x)},
                       {"y1", num(top_ - 8)},
                       {"x2", num(x)},
                       {"y2", num(height - kBottom / 2)}});
      std::string shown = l == kClientsLane ? fmt::format("{} clients", grouped_clients_) : l;
      for (size_t row = 0; row == 0 || row < events_.size(); row += kHeaderEvery)
        w_.element("text", {{"class", "name"}, {"x", num(x)}, {"y", num(row_y(row) - kRowHeight - 4)}}, shown);
    }
  }

  // A time label whenever the clock moved and the last label is a few rows up.
  void times() {
    size_t last = SIZE_MAX;
    int64_t last_t = INT64_MIN;
    for (size_t row = 0; row < events_.size(); ++row) {
      int64_t t = events_[row].t_ns;
      if (t == last_t || (last != SIZE_MAX && row - last < 4)) continue;
      w_.element("text", {{"class", "time"}, {"x", num(kLeft - 8)}, {"y", num(row_y(row) + 4)}},
                 fmt::format("{:.3f} ms", static_cast<double>(t) / 1e6));
      last = row;
      last_t = t;
    }
  }

  void focus(double width) {
    if (view_.focus_ns < 0) return;
    double y = y_of_time(view_.focus_ns);
    w_.open("g", {{"id", "focus"}});
    w_.element("title", {}, fmt::format("{:.3f} ms", static_cast<double>(view_.focus_ns) / 1e6));
    w_.leaf("line", {{"class", "focus"}, {"x1", num(kLeft)}, {"y1", num(y)}, {"x2", num(width - 10)}, {"y2", num(y)}});
    w_.close("g");
  }

  void message(size_t i) {
    const DiagramMessage& m = view_.messages[i];
    std::string label = m.body.empty() ? fmt::format("#{}", m.id) : MessageLabels::label_of(m.body);
    bool client = lane_class(m.src) == 2 || lane_class(m.dest) == 2;
    double x1 = lane_x(m.src), y1 = row_y(send_row_[i]);
    double x2 = lane_x(m.dest);
    bool open = m.fate == MessageFate::kInFlight;
    const char* cls = open                              ? "msg inflight"
                      : m.fate == MessageFate::kDropped ? "msg dropped"
                      : client                          ? "msg delivered client"
                                                        : "msg delivered";
    double y2 = open ? row_y(events_.size()) : row_y(end_row_[i]);
    if (m.fate == MessageFate::kDropped) x2 = x1 + (x2 - x1) * 0.6;  // a drop never reaches its lane
    if (x1 == x2) x2 += 24;  // two clients sharing a lane: a visible hook instead of a dot
    w_.open("g", {{"class", cls}, {"id", fmt::format("m{}", m.id)}});
    std::string hover = fmt::format("{} → {} #{} sent at {:.3f} ms, {}", m.src, m.dest, m.id,
                                    static_cast<double>(m.send_ns) / 1e6, fate_name(m.fate));
    if (!open) hover += fmt::format(" at {:.3f} ms", static_cast<double>(m.end_ns) / 1e6);
    hover += "\n" + (m.body.empty() ? std::string("(body not kept)") : m.body);
    w_.element("title", {}, hover);
    if (m.fate == MessageFate::kDropped) {
      w_.leaf("line", {{"x1", num(x1)}, {"y1", num(y1)}, {"x2", num(x2)}, {"y2", num(y2)}});
      w_.leaf("path", {{"d", fmt::format("M {} {} l 8 8 m -8 0 l 8 -8", num(x2 - 4), num(y2 - 4))}});
    } else {
      w_.leaf("line", {{"x1", num(x1)},
                       {"y1", num(y1)},
                       {"x2", num(x2)},
                       {"y2", num(y2)},
                       {"marker-end", open     ? "url(#head-g)"
                                      : client ? "url(#head-c)"
                                               : "url(#head)"}});
    }
    double lx = (x1 + x2) / 2, ly = (y1 + y2) / 2 - 3;
    w_.element("text", {{"x", num(lx)}, {"y", num(ly)}, {"text-anchor", "middle"}}, label);
    w_.close("g");
  }

  const DiagramView& view_;
  double top_ = 0;
  std::vector<Event> events_;
  std::vector<size_t> send_row_, end_row_;
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

std::string render_diagram_svg(const DiagramView& view, bool standalone) { return Diagram(view).render(standalone); }

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
