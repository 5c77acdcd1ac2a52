#include "serve/server.h"

#include <gtest/gtest.h>

#include <thread>

#include "serve/testing/http_exchange.h"

namespace squall::serve {
namespace {

using squall::testing::http_exchange;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = HttpServer::listen("127.0.0.1", 0);
    ASSERT_TRUE(s.ok()) << s.error();
    server_ = std::move(s.value());
    thread_ = std::thread([this] {
      server_->serve(
          [](const Request& r) {
            Response resp;
            resp.body = r.method + " " + r.path;
            return resp;
          },
          stop_);
    });
  }
  void TearDown() override {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, AnswersARequestAndCloses) {
  ASSERT_GT(server_->port(), 0);
  std::string resp = http_exchange(server_->port(), "GET /a%20b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << resp;
  EXPECT_TRUE(resp.ends_with("\r\n\r\nGET /a b")) << resp;
}

TEST_F(ServerTest, HeadHasNoBody) {
  std::string resp = http_exchange(server_->port(), "HEAD / HTTP/1.1\r\n\r\n");
  EXPECT_NE(resp.find("Content-Length: 6\r\n"), std::string::npos) << resp;
  EXPECT_TRUE(resp.ends_with("\r\n\r\n")) << resp;
}

TEST_F(ServerTest, BadRequestsGet400AndTheServerCarriesOn) {
  EXPECT_EQ(http_exchange(server_->port(), "GET ../x HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_exchange(server_->port(), std::string(20000, 'a')).rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(http_exchange(server_->port(), "GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
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
