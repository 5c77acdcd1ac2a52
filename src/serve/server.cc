#include "serve/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <system_error>
#include <thread>

namespace squall::serve {
namespace {

constexpr int kPollMs = 100;

// A connection's thread and whether it has finished (so it can be joined at once).
struct Worker {
  std::thread thread;
  std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
};

void join_finished(std::list<Worker>* workers) {
  for (auto it = workers->begin(); it != workers->end();) {
    if (it->done->load()) {
      it->thread.join();
      it = workers->erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const std::string& host, int port, ServerOptions options) {
  if (port < 0 || port > 65535) return err("port must be 0..65535");
  if (options.max_connections < 1) return err("max_connections must be at least 1");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return err("not an IPv4 address: " + host);
  auto server = std::unique_ptr<HttpServer>(new HttpServer(host, std::move(options)));
  server->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server->fd_ < 0) return err(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(server->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(server->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return err("cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  if (::listen(server->fd_, 64) != 0) return err(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(server->fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  server->port_ = ntohs(addr.sin_port);
  return server;
}

HttpServer::~HttpServer() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpServer::serve(const Handler& handler, const std::atomic<bool>& stop) {
  const HostAllowList hosts(host_, port_, options_.allowed_hosts);
  const ConnectionContext context{handler, hosts, options_.limits, stop};
  std::list<Worker> workers;
  while (!stop.load()) {
    join_finished(&workers);
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;  // timeout, or EINTR from the very signal that sets `stop`
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) continue;
    if (workers.size() >= static_cast<size_t>(options_.max_connections)) {
      refuse_connection(client, 503, "too many connections at once; try again");
      continue;
    }
    Worker& w = workers.emplace_back();
    try {
      w.thread = std::thread([client, &context, done = w.done] {
        serve_connection(client, context);
        done->store(true);
      });
    } catch (const std::system_error&) {  // out of threads: the machine is busy, not broken
      workers.pop_back();
      refuse_connection(client, 503, "cannot start a thread for this connection; try again");
    }
  }
  for (Worker& w : workers) w.thread.join();
}

}  // namespace squall::serve
