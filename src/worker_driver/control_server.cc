#include "worker_driver/control_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "worker_driver/control_codec.h"

namespace squall::worker_driver {

namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

}  // namespace

bool parse_listen_endpoint(std::string_view text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  std::string_view p = text.substr(colon + 1);
  unsigned v = 0;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  if (r.ec != std::errc() || r.ptr != p.data() + p.size() || v > 65535) return false;
  host->assign(text.substr(0, colon));
  *port = static_cast<uint16_t>(v);
  return true;
}

std::unique_ptr<ControlServer> ControlServer::open(const std::string& endpoint, std::string* error) {
  std::string host;
  uint16_t port = 0;
  if (!parse_listen_endpoint(endpoint, &host, &port)) {
    *error = "'" + endpoint + "' is not host:port";
    return nullptr;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    *error = "cannot resolve '" + host + "': " + ::gai_strerror(rc);
    return nullptr;
  }
  int fd = -1;
  std::string why = "no address";
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  if (fd < 0) {
    *error = "cannot listen on " + endpoint + ": " + why;
    return nullptr;
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  uint16_t actual = 0;
  if (bound.ss_family == AF_INET) actual = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (bound.ss_family == AF_INET6) actual = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  set_nonblocking(fd);
  return std::unique_ptr<ControlServer>(new ControlServer(fd, actual));
}

ControlServer::~ControlServer() {
  for (Client& c : clients_) ::close(c.fd);
  ::close(listen_fd_);
}

void ControlServer::accept_clients() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (clients_.size() >= kClientsMax) {
      ::close(fd);  // refused: too many clients
      continue;
    }
    clients_.push_back(Client{fd, {}, {}, false});
  }
}

bool ControlServer::read_from(Client* c, const Handler& handler) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(c->fd, buf, sizeof buf);
    if (n == 0) {  // the peer closed: flush what is owed, then close
      c->closing = true;
      return !c->out.empty();
    }
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c->in.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = c->in.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(c->in.data() + start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      c->out += handler(line);
      c->out += '\n';
    }
    c->in.erase(0, start);
    if (c->in.size() > kControlLineMax) {
      c->out += encode_error(ControlError{std::nullopt, "line longer than 64 KiB; disconnecting"});
      c->out += '\n';
      c->in.clear();
      c->closing = true;
      return true;
    }
    if (c->out.size() > kPendingOutputMax) return false;
  }
}

bool ControlServer::write_to(Client* c) {
  while (!c->out.empty()) {
    ssize_t n = ::send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c->out.erase(0, static_cast<size_t>(n));
  }
  return !c->closing;
}

void ControlServer::serve(const std::atomic<bool>& stop, const Handler& handler) {
  std::vector<pollfd> fds;
  while (!stop.load()) {
    fds.clear();
    fds.push_back(pollfd{listen_fd_, POLLIN, 0});
    for (const Client& c : clients_)
      fds.push_back(
          pollfd{c.fd, static_cast<short>(c.closing ? POLLOUT : (POLLIN | (c.out.empty() ? 0 : POLLOUT))), 0});
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    std::vector<bool> drop(clients_.size(), false);
    for (size_t i = 0; i < clients_.size(); ++i) {
      const short ev = fds[i + 1].revents;
      Client& c = clients_[i];
      if ((ev & (POLLIN | POLLHUP | POLLERR)) != 0 && !c.closing && !read_from(&c, handler)) drop[i] = true;
      if (!drop[i] && (!c.out.empty() || c.closing) && !write_to(&c)) drop[i] = true;
    }
    for (size_t i = clients_.size(); i-- > 0;) {
      if (!drop[i]) continue;
      ::close(clients_[i].fd);
      clients_.erase(clients_.begin() + static_cast<long>(i));
    }
    if ((fds[0].revents & POLLIN) != 0) accept_clients();
  }
}

}  // namespace squall::worker_driver
