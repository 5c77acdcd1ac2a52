#include "serve/server.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "serve/testing/http_exchange.h"
#include "serve/testing/trickling_client.h"

namespace squall::serve {
namespace {

using squall::testing::http_exchange;
using squall::testing::TricklingClient;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr char kGood[] = "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n";

// A server on a free port answering "<method> <path>", run on its own thread.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override { stop(); }

  void start(ServerOptions options) {
    auto s = HttpServer::listen("127.0.0.1", 0, std::move(options));
    ASSERT_TRUE(s.ok()) << s.error();
    server_ = std::move(s.value());
    thread_ = std::thread([this] { server_->serve(handler_, stop_); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    stop_ = false;
  }
  void restart(ServerOptions options, Handler handler = nullptr) {
    stop();
    server_.reset();
    if (handler) handler_ = std::move(handler);  // only while no server runs
    start(std::move(options));
  }

  Handler handler_ = [](const Request& r) {
    Response resp;
    resp.body = r.method + " " + r.path;
    return resp;
  };
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, AnswersARequestAndCloses) {
  ASSERT_GT(server_->port(), 0);
  std::string resp = http_exchange(server_->port(), "GET /a%20b HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << resp;
  EXPECT_TRUE(resp.ends_with("\r\n\r\nGET /a b")) << resp;
}

TEST_F(ServerTest, HeadHasNoBody) {
  std::string resp = http_exchange(server_->port(), "HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(resp.find("Content-Length: 6\r\n"), std::string::npos) << resp;
  EXPECT_TRUE(resp.ends_with("\r\n\r\n")) << resp;
}

TEST_F(ServerTest, BadRequestsGet400AndTheServerCarriesOn) {
  EXPECT_EQ(http_exchange(server_->port(), "GET ../x HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_exchange(server_->port(), std::string(20000, 'a')).rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_exchange(server_->port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
}

// A client that sends a byte now and then must not hold up everyone else.
TEST_F(ServerTest, ATricklingClientDoesNotBlockOthers) {
  TricklingClient slow(server_->port(), "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n", 200ms);
  ASSERT_TRUE(slow.connected());
  std::this_thread::sleep_for(300ms);  // accepted and being read by now
  auto start = Clock::now();
  std::string resp = http_exchange(server_->port(), kGood);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_TRUE(resp.ends_with("\r\n\r\nGET /x")) << resp;
  EXPECT_FALSE(slow.wait_closed(0ms));  // still being served
}

// The whole head must arrive by the deadline, however steadily the bytes trickle in.
TEST_F(ServerTest, ARequestPastTheDeadlineIsAnswered408AndClosed) {
  ServerOptions options;
  options.limits.head_deadline = 500ms;
  restart(options);
  auto start = Clock::now();
  TricklingClient slow(server_->port(), "GET /slow HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(200, 'a'),
                       50ms);
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.wait_closed(5s)) << "a trickling client kept its connection past the deadline";
  EXPECT_GE(Clock::now() - start, 400ms);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(slow.received().rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << slow.received();
}

TEST_F(ServerTest, TheStopFlagEndsSlowConnectionsPromptly) {
  TricklingClient slow(server_->port(), "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n", 200ms);
  ASSERT_TRUE(slow.connected());
  std::this_thread::sleep_for(300ms);
  auto start = Clock::now();
  stop();
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_TRUE(slow.wait_closed(1s));
}

TEST_F(ServerTest, ConnectionsBeyondTheBoundAreAnswered503) {
  ServerOptions options;
  options.max_connections = 2;
  restart(options);
  TricklingClient a(server_->port(), "GET /a HTTP/1.1\r\n", 200ms), b(server_->port(), "GET /b HTTP/1.1\r\n", 200ms);
  ASSERT_TRUE(a.connected() && b.connected());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(http_exchange(server_->port(), kGood).rfind("HTTP/1.1 503", 0), 0u);
}

// DNS rebinding: a page from evil.example that made its name resolve to 127.0.0.1.
TEST_F(ServerTest, RequestsForAnotherHostAreRefused) {
  std::string resp = http_exchange(server_->port(), "GET /x HTTP/1.1\r\nHost: evil.example\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 421 Misdirected Request\r\n", 0), 0u) << resp;
  EXPECT_NE(resp.find("DNS rebinding"), std::string::npos) << resp;
  EXPECT_EQ(resp.find("GET /x"), std::string::npos) << resp;  // the handler never ran
  std::string port = std::to_string(server_->port());
  for (std::string host : {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port}) {
    std::string ok = http_exchange(server_->port(), "GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << host << "\n" << ok;
  }
  EXPECT_EQ(http_exchange(server_->port(), "GET /x HTTP/1.1\r\nHost: localhost:1\r\n\r\n").rfind("HTTP/1.1 421", 0),
            0u);
}

// A handler that throws fails its request, not the server.
TEST_F(ServerTest, AThrowingHandlerGets500AndTheServerCarriesOn) {
  restart({}, [](const Request& r) -> Response {
    if (r.path == "/boom") throw std::runtime_error("directory vanished");
    return Response{};
  });
  std::string boom = http_exchange(server_->port(), "GET /boom HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(boom.rfind("HTTP/1.1 500", 0), 0u) << boom;
  EXPECT_NE(boom.find("directory vanished"), std::string::npos) << boom;
  EXPECT_EQ(http_exchange(server_->port(), kGood).rfind("HTTP/1.1 200", 0), 0u);
}

// File bodies go out whole and byte for byte, though never held in memory.
TEST_F(ServerTest, StreamsFileBodies) {
  char name[] = "/tmp/squall-server-test-XXXXXX";
  int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  std::string content;
  for (int i = 0; content.size() < (size_t{3} << 20); ++i) content += std::to_string(i) + "\n";
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
  restart({}, [&name](const Request& r) {
    Response resp;
    auto body = r.method == "HEAD" ? FileBody::stat(name) : FileBody::open(name);
    resp.file = body.value();
    return resp;
  });
  std::string got = http_exchange(server_->port(), kGood);
  std::string head = http_exchange(server_->port(), "HEAD /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ::unlink(name);
  size_t body_at = got.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_TRUE(got.substr(body_at + 4) == content) << "body of " << got.size() - body_at - 4 << " bytes differs";
  EXPECT_NE(head.find("Content-Length: " + std::to_string(content.size()) + "\r\n"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

TEST(Server, StopFlagEndsTheLoop) {
  auto s = HttpServer::listen("127.0.0.1", 0);
  ASSERT_TRUE(s.ok());
  std::atomic<bool> stop{false};
  std::thread t([&] { (*s)->serve([](const Request&) { return Response{}; }, stop); });
  stop = true;
  t.join();  // returns within one poll period; a hang here fails the test by timeout
  SUCCEED();
}

TEST(Server, RefusesBadAddresses) {
  EXPECT_FALSE(HttpServer::listen("not-an-ip", 0).ok());
  EXPECT_FALSE(HttpServer::listen("127.0.0.1", 70000).ok());
}

}  // namespace
}  // namespace squall::serve
