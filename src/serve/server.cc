#include "serve/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace squall::serve {
namespace {

constexpr int kPollMs = 100;
constexpr int kClientTimeoutS = 5;

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away: nothing to do
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Ends our side, then reads what the client still sends for a moment: closing with unread
// input would reset the connection and could destroy the response before it is read.
void lingering_close(int fd) {
  ::shutdown(fd, SHUT_WR);
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (size_t total = 0; total < (size_t{1} << 20);) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const std::string& host, int port) {
  if (port < 0 || port > 65535) return err("port must be 0..65535");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return err("not an IPv4 address: " + host);
  auto server = std::unique_ptr<HttpServer>(new HttpServer());
  server->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server->fd_ < 0) return err(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(server->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(server->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return err("cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  if (::listen(server->fd_, 16) != 0) return err(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(server->fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  server->port_ = ntohs(addr.sin_port);
  return server;
}

HttpServer::~HttpServer() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpServer::serve(const Handler& handler, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, kPollMs);
    if (n <= 0) continue;  // timeout, or EINTR from the very signal that sets `stop`
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handle_connection(client, handler);
    lingering_close(client);
    ::close(client);
  }
}

void HttpServer::handle_connection(int fd, const Handler& handler) {
  timeval tv{kClientTimeoutS, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > kMaxRequestHead) {
      write_all(fd, render_response(error_response(400, "request head too large"), false));
      return;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // closed or timed out before a full request
    head.append(buf, static_cast<size_t>(n));
  }
  auto req = parse_request(head);
  if (!req.ok()) {
    write_all(fd, render_response(error_response(400, req.error()), false));
    return;
  }
  Response resp = handler(*req);
  write_all(fd, render_response(resp, req->method == "HEAD"));
}

}  // namespace squall::serve
