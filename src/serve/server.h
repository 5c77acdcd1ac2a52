// HttpServer: a blocking, single-threaded HTTP/1.1 listener on plain POSIX sockets.
//
// One connection at a time, one request per connection: enough for a person browsing a
// store, and nothing to tune. The loop polls the listening socket with a short timeout so
// that a stop flag (set by a signal handler on Ctrl-C) ends it promptly; a client that
// stalls mid-request is cut off after a few seconds so it cannot hold the loop. Not
// thread-safe: one thread calls serve().
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "serve/http.h"

namespace squall::serve {

using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  // Binds and listens on host:port; port 0 picks a free port (see port()).
  static Result<std::unique_ptr<HttpServer>> listen(const std::string& host, int port);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }

  // Serves until `stop` becomes true (checked at least every 100 ms).
  void serve(const Handler& handler, const std::atomic<bool>& stop);

 private:
  HttpServer() = default;
  void handle_connection(int fd, const Handler& handler);
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace squall::serve
