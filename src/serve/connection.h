// serve_connection: one request on one accepted connection, from its first byte to the
// last byte of the answer, with every wait bounded.
//
// The whole request head must arrive within a deadline (a client trickling a byte at a
// time is answered 408 and dropped, however steadily it trickles); a client that takes
// none of the answer for a while is dropped; and every wait ends within 100 ms of the stop
// flag being set, so Ctrl-C is prompt whatever the clients do. File bodies are streamed
// with sendfile(2) in pieces, never loaded. Runs on its own thread; shares only const
// state with the others.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "serve/host_allow_list.h"
#include "serve/http.h"

namespace squall::serve {

using Handler = std::function<Response(const Request&)>;

struct ConnectionLimits {
  // From accepting the connection to the end of the request head.
  std::chrono::milliseconds head_deadline{10'000};
  // The longest a client may go without accepting any byte of the answer.
  std::chrono::milliseconds send_idle_timeout{10'000};
};

// Everything a connection reads; owned by the server, alive while connections run.
struct ConnectionContext {
  const Handler& handler;
  const HostAllowList& hosts;
  ConnectionLimits limits;
  const std::atomic<bool>& stop;
};

// Serves one request on the non-blocking socket `fd` and closes it.
void serve_connection(int fd, const ConnectionContext& context);

// Answers `status` with `detail` as far as the socket takes it at once, then closes `fd`:
// for refusing a connection without spending a thread on it.
void refuse_connection(int fd, int status, std::string_view detail);

}  // namespace squall::serve
