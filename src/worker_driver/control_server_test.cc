// The control API's TCP server: lines are answered in order (CRLF and blank lines
// tolerated, a line split across writes reassembled), an over-long line gets an error
// and a disconnect, a client that closes mid-line is dropped, and the server keeps
// serving others throughout.
#include "worker_driver/control_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "worker_driver/control_codec.h"

namespace squall::worker_driver {
namespace {

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may have closed on us (the long-line case)
    off += static_cast<size_t>(n);
  }
}

// Reads until `lines` newlines arrived or the peer closed.
std::string read_lines(int fd, int lines) {
  std::string got;
  char buf[4096];
  while (std::count(got.begin(), got.end(), '\n') < lines) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

class Served : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = ControlServer::open("127.0.0.1:0", &error);
    ASSERT_NE(server_, nullptr) << error;
    thread_ = std::thread([this] { server_->serve(stop_, [](std::string_view l) { return "ok:" + std::string(l); }); });
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::unique_ptr<ControlServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(Served, LinesAreAnsweredInOrder) {
  int fd = connect_to(server_->port());
  send_all(fd, "a\r\n\nb");
  send_all(fd, "c\n");
  EXPECT_EQ(read_lines(fd, 2), "ok:a\nok:bc\n");
  ::close(fd);
}

TEST_F(Served, AnOverlongLineIsAnErrorAndADisconnect) {
  int fd = connect_to(server_->port());
  // One byte over: the server has read everything when it gives up, so its close is a
  // clean end of stream after the error line (unread bytes would make it a reset).
  send_all(fd, std::string(kControlLineMax + 1, 'x'));
  const std::string got = read_lines(fd, 5);  // until the server closes
  EXPECT_NE(got.find("\"code\":\"BadRequest\""), std::string::npos) << got.substr(0, 200);
  EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), 1);
  ::close(fd);
  // Others are still served.
  int other = connect_to(server_->port());
  send_all(other, "still\n");
  EXPECT_EQ(read_lines(other, 1), "ok:still\n");
  ::close(other);
}

TEST_F(Served, AClientClosingMidLineIsDropped) {
  int fd = connect_to(server_->port());
  send_all(fd, "half a li");
  ::close(fd);
  int other = connect_to(server_->port());
  send_all(other, "x\n");
  EXPECT_EQ(read_lines(other, 1), "ok:x\n");
  ::close(other);
}

TEST(ControlServer, ListenEndpointsAreChecked) {
  std::string host, error;
  uint16_t port = 1;
  EXPECT_TRUE(parse_listen_endpoint("127.0.0.1:0", &host, &port));
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(parse_listen_endpoint("127.0.0.1", &host, &port));
  EXPECT_FALSE(parse_listen_endpoint(":5", &host, &port));
  EXPECT_FALSE(parse_listen_endpoint("h:70000", &host, &port));
  EXPECT_EQ(ControlServer::open("no.such.host.invalid:0", &error), nullptr);
  EXPECT_NE(error.find("no.such.host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace squall::worker_driver
