#include "viz/message_diagram.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <unordered_map>

#include <fmt/format.h>

#include "core/assert.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

// Client lanes are narrow: a run has many short-lived clients (init, workers, final
// reads) and the interesting traffic is between nodes.
constexpr double kClientLaneGap = 56;
constexpr double kLaneGap = 140;
constexpr double kRowHeight = 18;
constexpr double kLeft = 90;  // room for the time labels
constexpr double kTop = 70;   // room for the note and the lane names
constexpr double kBottom = 40;
constexpr size_t kHeaderEvery = 60;  // rows between repeated lane names

struct Message {
  int64_t msg_id = 0;
  uint32_t src = 0;
  uint32_t dest = 0;
  size_t send_row = 0;
  size_t end_row = SIZE_MAX;  // receipt or drop row; SIZE_MAX while in flight
  bool dropped = false;
};

struct Row {
  int64_t t_ns;
};

// The drawn part of the journal: the first max_messages messages and their events.
struct Extract {
  std::vector<Message> messages;
  std::vector<Row> rows;
  size_t total_sends = 0;
};

Extract extract(const net::Journal& journal, size_t max_messages) {
  Extract x;
  // The stats count every send, even past the journal's own cap.
  x.total_sends = static_cast<size_t>(journal.stats().all.send_count);
  std::unordered_map<int64_t, size_t> by_id;
  size_t open = 0;
  for (const net::JournalEntry& e : journal.entries()) {
    if (e.event == net::JournalEvent::kSend) {
      // Once every drawn message has ended, the rest of a long journal is irrelevant.
      if (x.messages.size() >= max_messages) {
        if (open == 0) break;
        continue;
      }
      by_id[e.msg_id] = x.messages.size();
      x.messages.push_back(Message{e.msg_id, e.src, e.dest, x.rows.size()});
      x.rows.push_back(Row{e.t_ns});
      ++open;
      continue;
    }
    auto it = by_id.find(e.msg_id);
    if (it == by_id.end()) continue;
    Message& m = x.messages[it->second];
    SQ_ASSERT(m.end_row == SIZE_MAX);  // a message is received or dropped once
    m.end_row = x.rows.size();
    m.dropped = e.event == net::JournalEvent::kDrop;
    x.rows.push_back(Row{e.t_ns});
    --open;
  }
  return x;
}

// Lane order: clients, nodes, services; numbered names in numeric order.
int lane_class(const std::string& name) {
  auto numbered = [&](char p) {
    return name.size() > 1 && name[0] == p && std::all_of(name.begin() + 1, name.end(), [](char c) {
             return std::isdigit(static_cast<unsigned char>(c));
           });
  };
  return numbered('c') ? 0 : numbered('n') ? 1 : 2;
}

std::vector<uint32_t> lanes_of(const Extract& x, const std::vector<std::string>& names) {
  std::vector<uint32_t> used;
  for (const Message& m : x.messages) {
    used.push_back(m.src);
    used.push_back(m.dest);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  for (uint32_t e : used) SQ_ASSERT(e < names.size());
  std::sort(used.begin(), used.end(), [&](uint32_t a, uint32_t b) {
    const std::string& na = names[a];
    const std::string& nb = names[b];
    int ca = lane_class(na), cb = lane_class(nb);
    if (ca != cb) return ca < cb;
    if (ca < 2 && na.size() != nb.size()) return na.size() < nb.size();  // c2 before c10
    return na < nb;
  });
  return used;
}

constexpr std::string_view kStyle = R"(<style>
text { font-family: monospace; font-size: 11px; }
.lane { stroke: #bbb; stroke-width: 1; }
.name { font-weight: bold; text-anchor: middle; font-size: 12px; }
.time { fill: #777; text-anchor: end; }
.note { fill: #a00; font-size: 12px; }
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

class Diagram {
 public:
  Diagram(const Extract& x, const std::vector<std::string>& names, const MessageLabels& labels,
          const net::Journal& journal)
      : x_(x), names_(names), labels_(labels), journal_(journal), lanes_(lanes_of(x, names)) {
    double left = kLeft;
    for (uint32_t e : lanes_) {
      double gap = lane_class(names_[e]) == 0 ? kClientLaneGap : kLaneGap;
      lane_x_[e] = left + gap / 2;
      left += gap;
    }
    lanes_width_ = left - kLeft;
  }

  std::string render() {
    double width = kLeft + std::max(kLaneGap, lanes_width_) + 40;
    double height = kTop + static_cast<double>(x_.rows.size() + 1) * kRowHeight + kBottom;
    w_.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w_.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                    {"width", num(width)},
                    {"height", num(height)},
                    {"viewBox", fmt::format("0 0 {} {}", num(width), num(height))}});
    w_.raw("\n");
    w_.raw(kStyle);
    w_.raw(
        R"(<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#222"/></marker><marker id="head-c" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f63b0"/></marker><marker id="head-g" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#999"/></marker></defs>
)");
    w_.element("title", {}, "Squall message diagram");
    notes(width);
    lanes(height);
    times();
    for (const Message& m : x_.messages) message(m);
    w_.close("svg");
    return w_.finish();
  }

 private:
  double lane_x(uint32_t endpoint) const { return lane_x_.at(endpoint); }
  static double row_y(size_t row) { return kTop + (static_cast<double>(row) + 1) * kRowHeight; }

  void notes(double width) {
    size_t drawn = x_.messages.size();
    const net::NetStats& s = journal_.stats();
    std::string head = fmt::format("{} messages sent, {} received, {} dropped by partitions", s.all.msg_count,
                                   s.all.recv_count, s.dropped_partition);
    w_.element("text", {{"x", "10"}, {"y", "18"}}, head);
    std::string cap;
    if (journal_.truncated()) {
      cap = fmt::format("The network journal was truncated after {} events: showing the first {} of {} messages",
                        journal_.entries().size(), drawn, s.all.msg_count);
    } else if (x_.total_sends > drawn) {
      cap = fmt::format("Showing the first {} of {} messages", drawn, x_.total_sends);
    }
    if (!cap.empty()) w_.element("text", {{"class", "note"}, {"x", "10"}, {"y", "34"}}, cap);
    (void)width;
  }

  void lanes(double height) {
    for (uint32_t e : lanes_) {
      double x = lane_x(e);
      w_.leaf("line", {{"class", "lane"},
                       {"x1", num(x)},
                       {"y1", num(kTop - 8)},
                       {"x2", num(x)},
                       {"y2", num(height - kBottom / 2)}});
      for (size_t row = 0; row == 0 || row < x_.rows.size(); row += kHeaderEvery) {
        w_.element("text", {{"class", "name"}, {"x", num(x)}, {"y", num(row_y(row) - kRowHeight - 4)}}, names_[e]);
      }
    }
  }

  // A time label whenever the clock moved and the last label is a few rows up.
  void times() {
    size_t last = SIZE_MAX;
    int64_t last_t = INT64_MIN;
    for (size_t row = 0; row < x_.rows.size(); ++row) {
      int64_t t = x_.rows[row].t_ns;
      if (t == last_t || (last != SIZE_MAX && row - last < 4)) continue;
      w_.element("text", {{"class", "time"}, {"x", num(kLeft - 8)}, {"y", num(row_y(row) + 4)}},
                 fmt::format("{:.3f} ms", static_cast<double>(t) / 1e6));
      last = row;
      last_t = t;
    }
  }

  void message(const Message& m) {
    const MessageLabel* l = labels_.find(m.msg_id);
    std::string label = l ? l->label : fmt::format("#{}", m.msg_id);
    bool client = lane_class(names_[m.src]) == 0 || lane_class(names_[m.dest]) == 0;
    double x1 = lane_x(m.src), y1 = row_y(m.send_row);
    double x2 = lane_x(m.dest);
    const char* cls = m.end_row == SIZE_MAX ? "msg inflight"
                      : m.dropped           ? "msg dropped"
                      : client              ? "msg delivered client"
                                            : "msg delivered";
    double y2 = m.end_row == SIZE_MAX ? row_y(x_.rows.size()) : row_y(m.end_row);
    if (m.dropped) x2 = x1 + (x2 - x1) * 0.6;  // a drop never reaches its lane
    w_.open("g", {{"class", cls}});
    std::string hover = fmt::format("{} → {} ({}) #{}", names_[m.src], names_[m.dest],
                                    m.end_row == SIZE_MAX ? "in flight at the end"
                                    : m.dropped           ? "dropped"
                                                          : "delivered",
                                    m.msg_id);
    if (l) hover += "\n" + l->body;
    w_.element("title", {}, hover);
    if (m.dropped) {
      w_.leaf("line", {{"x1", num(x1)}, {"y1", num(y1)}, {"x2", num(x2)}, {"y2", num(y2)}});
      w_.leaf("path", {{"d", fmt::format("M {} {} l 8 8 m -8 0 l 8 -8", num(x2 - 4), num(y2 - 4))}});
    } else {
      w_.leaf("line", {{"x1", num(x1)},
                       {"y1", num(y1)},
                       {"x2", num(x2)},
                       {"y2", num(y2)},
                       {"marker-end", m.end_row == SIZE_MAX ? "url(#head-g)"
                                      : client              ? "url(#head-c)"
                                                            : "url(#head)"}});
    }
    double lx = (x1 + x2) / 2, ly = (y1 + y2) / 2 - 3;
    w_.element("text", {{"x", num(lx)}, {"y", num(ly)}, {"text-anchor", "middle"}}, label);
    w_.close("g");
  }

  const Extract& x_;
  const std::vector<std::string>& names_;
  const MessageLabels& labels_;
  const net::Journal& journal_;
  std::vector<uint32_t> lanes_;
  std::unordered_map<uint32_t, double> lane_x_;
  double lanes_width_ = 0;
  XmlWriter w_;
};

}  // namespace

std::string render_message_diagram(const net::Journal& journal, const std::vector<std::string>& names,
                                   const MessageLabels& labels, const DiagramOptions& options) {
  Extract x = extract(journal, options.max_messages);
  return Diagram(x, names, labels, journal).render();
}

}  // namespace squall::viz
