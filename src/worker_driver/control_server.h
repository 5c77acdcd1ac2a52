// ControlServer: the TCP side of the control API — accepts clients, frames their input
// into lines and writes back one answer line per request line, in order.
//
// One thread, poll(2)-driven: a request's handler runs to its answer before the next
// line is read (the worker carries out one operation at a time). Untrusted input is
// bounded: a line longer than kControlLineMax is answered with an error and the client
// is disconnected; at most kClientsMax clients at once (more are refused); a client
// that stops reading its answers is disconnected once kPendingOutputMax bytes wait.
// Not thread-safe; serve() returns when `stop` is set (checked every 100 ms).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace squall::worker_driver {

inline constexpr size_t kClientsMax = 64;
inline constexpr size_t kPendingOutputMax = 1 << 20;

// Parses "host:port" for listening (port 0: any free port); false when malformed.
bool parse_listen_endpoint(std::string_view text, std::string* host, uint16_t* port);

class ControlServer {
 public:
  using Handler = std::function<std::string(std::string_view line)>;

  // Listens on "host:port" (port 0: any free port); nullptr with *error on failure.
  static std::unique_ptr<ControlServer> open(const std::string& endpoint, std::string* error);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  uint16_t port() const { return port_; }
  void serve(const std::atomic<bool>& stop, const Handler& handler);

 private:
  struct Client {
    int fd = -1;
    std::string in;
    std::string out;
    bool closing = false;  // close once `out` is written
  };
  ControlServer(int fd, uint16_t port) : listen_fd_(fd), port_(port) {}
  void accept_clients();
  // Reads what is there and answers every complete line; false: drop the client.
  bool read_from(Client* c, const Handler& handler);
  bool write_to(Client* c);

  int listen_fd_;
  uint16_t port_;
  std::vector<Client> clients_;
};

}  // namespace squall::worker_driver
