// HttpServer: an HTTP/1.1 listener on plain POSIX sockets, one thread per connection.
//
// One request per connection. The thread that calls serve() accepts connections and
// gives each its own thread (see connection.h for the deadlines that bound each one), up
// to a bounded number at once; beyond that a connection is answered 503 at once, so a
// handful of stalled clients can neither block the others nor exhaust the machine. The
// accept loop polls with a short timeout so that a stop flag (set by a signal handler on
// Ctrl-C) ends it, and every connection, within about 100 ms. Requests whose Host is not
// this server are refused (see host_allow_list.h). serve() runs on one thread at a time;
// the handler is called from several threads at once and must be thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "serve/connection.h"
#include "serve/host_allow_list.h"
#include "serve/http.h"

namespace squall::serve {

struct ServerOptions {
  ConnectionLimits limits;
  int max_connections = 32;
  std::vector<std::string> allowed_hosts;  // names allowed beyond localhost and the bound address
};

class HttpServer {
 public:
  // Binds and listens on host:port; port 0 picks a free port (see port()).
  static Result<std::unique_ptr<HttpServer>> listen(const std::string& host, int port, ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }

  // Serves until `stop` becomes true (checked at least every 100 ms), then waits for the
  // connections still open, which end as promptly.
  void serve(const Handler& handler, const std::atomic<bool>& stop);

 private:
  HttpServer(std::string host, ServerOptions options) : host_(std::move(host)), options_(std::move(options)) {}
  int fd_ = -1;
  int port_ = 0;
  std::string host_;
  ServerOptions options_;
};

}  // namespace squall::serve
