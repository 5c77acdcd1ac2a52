// The HTTP/1.1 parser on malformed input, and the client's error classification against
// a fake server on 127.0.0.1 that misbehaves on purpose.
#include "etcd/http_connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "etcd/client.h"

namespace squall::etcd {
namespace {

TEST(HttpParse, ReadsStatusLengthAndChunking) {
  ResponseHead h;
  std::string err;
  ASSERT_TRUE(parse_response_head("HTTP/1.1 404 Not Found\r\nContent-Type: x\r\nTransfer-Encoding: chunked", &h, &err));
  EXPECT_EQ(h.status, 404);
  EXPECT_TRUE(h.chunked);
  EXPECT_FALSE(h.close);
  ASSERT_TRUE(parse_response_head("HTTP/1.1 200 OK\r\ncontent-length: 12\r\nConnection: close", &h, &err));
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_TRUE(h.close);
}

TEST(HttpParse, RejectsMalformedHeads) {
  ResponseHead h;
  std::string err;
  for (const char* bad :
       {"", "HTTP/1.1", "HTTP/2 200 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1 200 OK\r\nnocolon",
        "HTTP/1.1 200 OK\r\nContent-Length: -1", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip", "HTTP/1.1 999 OK"}) {
    EXPECT_FALSE(parse_response_head(bad, &h, &err)) << bad;
  }
}

TEST(HttpParse, DecodesChunkedBodiesWithTrailers) {
  std::string body;
  std::string in = "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nGrpc-Trailer: x\r\n\r\nNEXT";
  EXPECT_EQ(decode_chunked(in, 1000, &body), in.size() - 4);
  EXPECT_EQ(body, "hello!");
  EXPECT_EQ(decode_chunked("5\r\nhel", 1000, &body), 0u);  // incomplete: read more
  EXPECT_EQ(decode_chunked("zz\r\n", 1000, &body), SIZE_MAX);
  EXPECT_EQ(decode_chunked("5\r\nhelloXX0\r\n\r\n", 1000, &body), SIZE_MAX);
  EXPECT_EQ(decode_chunked("ffffffffffff\r\n", 1000, &body), SIZE_MAX);  // over the limit
  EXPECT_EQ(decode_chunked("ffffffffffffffffff\r\n", 1000, &body), SIZE_MAX);
}

// A server on 127.0.0.1 that answers each accepted connection with `behave`.
class FakeServer {
 public:
  using Behaviour = std::function<void(int fd, int connection)>;
  explicit FakeServer(Behaviour behave) : behave_(std::move(behave)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (int n = 0;; ++n) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        behave_(c, n);
        ::close(c);
      }
    });
  }
  ~FakeServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  Behaviour behave_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void read_request(int fd) {
  char buf[4096];
  std::string got;
  while (got.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    got.append(buf, static_cast<size_t>(n));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the body follows the head
  ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
}

void answer(int fd, const std::string& text) { ::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

Client client_for(const std::string& endpoint) {
  ClientOptions o;
  o.endpoints = {endpoint};
  o.request_timeout = std::chrono::milliseconds(400);
  o.read_attempt_timeout = std::chrono::milliseconds(150);
  return Client(o);
}

TEST(ClientClassification, RefusedConnectionIsUnavailable) {
  uint16_t port;
  {
    FakeServer probe([](int, int) {});
    std::string h;
    parse_endpoint(probe.endpoint(), &h, &port);
  }  // closed: connecting to it is refused now
  Client c = client_for("127.0.0.1:" + std::to_string(port));
  auto r = c.put(PutRequest{"k", "v"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << describe(r.error());
}

TEST(ClientClassification, LostConnectionAfterSendingIsIndeterminate) {
  FakeServer s([](int fd, int) { read_request(fd); });  // reads, then hangs up
  Client c = client_for(s.endpoint());
  auto r = c.put(PutRequest{"k", "v"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Indeterminate) << describe(r.error());
}

TEST(ClientClassification, SilentServerIsIndeterminateByTheDeadline) {
  FakeServer s([](int fd, int) {
    read_request(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  });
  Client c = client_for(s.endpoint());
  auto start = std::chrono::steady_clock::now();
  auto r = c.txn(TxnRequest{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Indeterminate);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(550));
}

TEST(ClientClassification, MalformedAnswersAreErrorsNotCrashes) {
  const std::string answers[] = {
      "garbage\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{\"kvs",
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"header\":7}",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\noops",
  };
  for (const std::string& a : answers) {
    FakeServer s([&](int fd, int) {
      read_request(fd);
      answer(fd, a);
    });
    Client c = client_for(s.endpoint());
    auto r = c.put(PutRequest{"k", "v"});
    ASSERT_FALSE(r.ok()) << a;
    EXPECT_EQ(r.error().kind, ErrorKind::Indeterminate) << a;
  }
}

TEST(ClientClassification, EtcdErrorAnswerIsRejectedWithItsCode) {
  FakeServer s([](int fd, int) {
    read_request(fd);
    std::string body = R"({"error":"etcdserver: requested lease not found","message":"lease not found","code":5})";
    answer(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  Client c = client_for(s.endpoint());
  auto r = c.lease_revoke(77, Client::in(std::chrono::milliseconds(400)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Rejected);
  EXPECT_EQ(r.error().code, kGrpcNotFound);
}

TEST(ClientClassification, ReadsAreRetriedAfterALostAnswerWritesAreNot) {
  std::atomic<int> served{0};
  FakeServer s([&](int fd, int n) {
    read_request(fd);
    ++served;
    if (n % 2 == 0) return;  // every other connection: hang up without answering
    std::string body = R"({"header":{"revision":"4"}})";
    answer(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                   body);
  });
  Client c = client_for(s.endpoint());
  auto r = c.range(RangeRequest{"k"});
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_EQ(r->header.revision, 4);
  EXPECT_EQ(served.load(), 2);
  auto w = c.put(PutRequest{"k", "v"});  // connection 2: hang up
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::Indeterminate);
  EXPECT_EQ(served.load(), 3);
}

}  // namespace
}  // namespace squall::etcd
