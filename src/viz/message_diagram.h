// The message diagram: a Lamport, or space-time, diagram of a window of a run.
//
// One vertical lane per endpoint that took part, nodes first (the traffic that matters),
// then services (lin-kv, ...), then the clients: a handful each get a narrow lane, more
// than kClientLanes share one "clients" lane, so a 25-client run does not push the nodes
// off-screen. Time flows down; each event of a drawn message (send, receipt, drop) gets
// its own row in time order, rows evenly spaced, so a zero-latency exchange still reads
// as a slanted arrow; the left margin gives the time in ms. Delivered messages are arrows
// labelled with their type (and short bodies); drops are red and end in an x; messages
// still in flight when the run ended, or whose end lies past the window, are grey dashed
// lines. Each message is one <path> (shaft and head, or the x of a drop); its label is
// drawn only where it overlaps no label already drawn. Hovering a message shows its
// endpoints and its body (an SVG <title>, or for a page a shared table). Fault
// windows (partitions) are shaded across the lanes, and a focus time (an anomaly) is
// marked by a line with id "focus".
//
// The drawing is bounded by what the caller puts in the view: `squall serve` cuts a
// window of at most kMaxDrawnMessages messages out of the stored messages.tsv (see
// message_table.h) and pages through the rest, so any message of any run can be shown
// and no page grows with the run. messages.svg, written at the end of a run, is the same
// drawing of the run's first messages.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "net/journal.h"
#include "viz/message_labels.h"
#include "viz/op_span.h"

namespace squall::viz {

// More messages than this in one drawing would make pages slow to open.
inline constexpr size_t kMaxDrawnMessages = 1500;
// More clients than this share one lane.
inline constexpr size_t kClientLanes = 4;

enum class MessageFate : uint8_t { kDelivered, kDropped, kInFlight };

std::string_view fate_name(MessageFate f);  // "delivered", "dropped", "in-flight"

struct DiagramMessage {
  int64_t id = 0;
  std::string src, dest;
  int64_t send_ns = 0;
  int64_t end_ns = -1;  // receipt or drop; -1 when still in flight at the end
  MessageFate fate = MessageFate::kInFlight;
  std::string body;  // clipped; empty when the run did not keep it
};

struct DiagramView {
  std::vector<DiagramMessage> messages;  // in send order
  std::vector<Window> faults;            // shaded where they overlap the drawn rows
  int64_t focus_ns = -1;                 // a marked time, or -1
  std::vector<std::string> notes;        // lines printed above the lanes
};

// Lane order of an endpoint name: 0 node, 1 service, 2 client ("c" and digits).
// Services are the names with a '-' (lin-kv, seq-kv, lww-kv, lin-tso).
int lane_class(const std::string& name);

// The diagram as an <svg> element; `standalone` adds the XML declaration so the text is
// a file of its own (messages.svg) rather than markup to embed in a page.
std::string render_diagram_svg(const DiagramView& view, bool standalone);

// The diagram cut up for an HTML page (squall serve), lighter for a browser to open than
// the <svg> above: no <title> per message, the lane names once, and the drawing in bands
// of 200 rows, each an <svg> in a <div class="band"> with content-visibility: auto, so
// the browser lays out only the bands near the view. A message is one <path class="msg
// ..." id="m<id>"> in the band of its send; where it runs on into later bands it is drawn
// again there as class "cont" with data-m="<id>", and its label names it in data-m too.
struct DiagramPage {
  std::string lane_header;  // <svg> strip of the lane names, for the page to keep in view
  std::string svg;          // the bands, with their <style>
  // {"<id>":"<hover text>",...} for every drawn message, safe inside a <script> element.
  std::string hover_json;
};
DiagramPage render_diagram_page(const DiagramView& view);

struct DiagramOptions {
  size_t max_messages = 2000;
};

// messages.svg: the first `max_messages` messages of a journal. `names[i]` names journal
// endpoint i; `labels` gives bodies.
std::string render_message_diagram(const net::Journal& journal, const std::vector<std::string>& names,
                                   const MessageLabels& labels, const DiagramOptions& options = {});

// Every message of a journal, in send order, with the bodies `labels` kept (for
// messages.tsv).
std::vector<DiagramMessage> messages_of(const net::Journal& journal, const std::vector<std::string>& names,
                                        const MessageLabels& labels, size_t max_messages = SIZE_MAX);

}  // namespace squall::viz
