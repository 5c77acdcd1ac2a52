// connect_tcp and wait_fd against a listening socket of the test's own: a connect
// succeeds, a closed port is refused with the reason, and a wait with nothing to
// read ends at its deadline.
#include "core/tcp.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace squall {
namespace {

// A listening socket on 127.0.0.1 and a free port; closed on destruction.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
};

SteadyDeadline in_ms(int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }

TEST(Tcp, ConnectsAndTheListenerSeesTheConnection) {
  Listener l;
  auto fd = connect_tcp("127.0.0.1", l.port, in_ms(2000));
  ASSERT_TRUE(fd.ok()) << fd.error();
  EXPECT_TRUE(wait_fd(l.fd, POLLIN, in_ms(2000)));
  ::close(*fd);
}

TEST(Tcp, AClosedPortIsRefusedWithHostPortAndReason) {
  uint16_t port = 0;
  {
    Listener l;  // a port that was free a moment ago and is closed now
    port = l.port;
  }
  auto fd = connect_tcp("127.0.0.1", port, in_ms(2000));
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << fd.error();
  EXPECT_NE(fd.error().find("refused"), std::string::npos) << fd.error();
}

TEST(Tcp, WaitEndsAtTheDeadlineWhenNothingArrives) {
  Listener l;
  auto fd = connect_tcp("127.0.0.1", l.port, in_ms(2000));
  ASSERT_TRUE(fd.ok());
  EXPECT_FALSE(wait_fd(*fd, POLLIN, in_ms(50)));
  EXPECT_TRUE(wait_fd(*fd, POLLOUT, in_ms(50)));
  ::close(*fd);
}

}  // namespace
}  // namespace squall
