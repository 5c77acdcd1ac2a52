// The message diagram (messages.svg): a Lamport, or space-time, diagram of a run.
//
// One vertical lane per endpoint that took part (clients c*, then nodes n*, then
// services such as lin-kv), time flowing down. Each journal event of a drawn message
// (send, receipt, drop) gets its own row, in journal order: rows follow real time but
// are evenly spaced, so a zero-latency exchange still reads as a slanted arrow and a
// burst of messages does not collapse into one line; the left margin gives the time in
// ms. Delivered messages are arrows from send to receipt labelled with their type (and
// short bodies); dropped messages are red and end in an x; messages still in flight when
// the run ended are grey dashed lines. Only the first `max_messages` messages are drawn,
// and the SVG says so when there were more (or when the journal itself was truncated).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "net/journal.h"
#include "viz/message_labels.h"

namespace squall::viz {

struct DiagramOptions {
  size_t max_messages = 2000;
};

// `names[i]` names journal endpoint i. Endpoints are put in lanes by name: "c<digits>"
// are clients, "n<digits>" nodes, anything else a service.
std::string render_message_diagram(const net::Journal& journal, const std::vector<std::string>& names,
                                   const MessageLabels& labels, const DiagramOptions& options = {});

}  // namespace squall::viz
