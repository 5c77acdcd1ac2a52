// `squall serve` as a user runs it: a slow client blocks nobody and does not delay Ctrl-C,
// a 200 MB file is streamed with a small, constant memory cost, HEAD only stats, and a
// request naming a foreign Host (DNS rebinding) is refused.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "serve/testing/http_exchange.h"
#include "serve/testing/trickling_client.h"
#include "testing/squall_run.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using squall::testing::http_exchange;
using squall::testing::kSquall;
using squall::testing::Stream;
using squall::testing::Subprocess;
using squall::testing::TricklingClient;

constexpr uint64_t kLargeFileBytes = uint64_t{200} << 20;

// A field ("VmHWM:", "rchar:") of a /proc file of process `pid`, as a number; -1 if absent.
long long proc_field(pid_t pid, const std::string& file, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
  return -1;
}

// `squall serve --port 0 <args>` in a child process; the port is read from its first line.
class ServeProcess {
 public:
  ServeProcess(const std::string& store, std::vector<std::string> extra = {}) : proc_(start(store, std::move(extra))) {
    std::optional<std::string> line = proc_.read_line(10s);
    std::smatch m;
    if (line && std::regex_search(*line, m, std::regex(R"(:(\d+)/)"))) port_ = std::stoi(m[1]);
  }
  ~ServeProcess() {
    proc_.signal(SIGKILL);  // a no-op once it has exited
    (void)proc_.wait_for(10s);
  }
  pid_t pid() const { return proc_.pid(); }
  int port() const { return port_; }

  // Sends `sig` and waits up to `timeout` for the exit status (-1 if it did not exit).
  int signal_and_wait(int sig, std::chrono::milliseconds timeout) {
    proc_.signal(sig);
    std::optional<int> st = proc_.wait_for(timeout);
    return st && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  }

 private:
  static Subprocess start(const std::string& store, std::vector<std::string> extra) {
    std::vector<std::string> args = {kSquall, "serve", "--store", store, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Subprocess::start(args, {.in = Stream::kInherit, .out = Stream::kPipe, .err = Stream::kInherit});
  }

  Subprocess proc_;
  int port_ = 0;
};

// GETs `path` and counts the bytes answered without keeping them; the head is returned
// through `head`.
uint64_t get_and_discard(int port, const std::string& path, std::string* head) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  uint64_t total = 0;
  std::vector<char> buf(1 << 16);
  ssize_t n;
  while ((n = ::recv(fd, buf.data(), buf.size(), 0)) > 0) {
    if (head->size() < 4096) head->append(buf.data(), std::min<size_t>(static_cast<size_t>(n), 4096));
    total += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return total;
}

class ServeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!squall::testing::executable(kSquall)) GTEST_SKIP() << "squall is not built";
    store_ = squall::testing::fresh_store("serve", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    run_ = fs::path(store_) / "broadcast" / "20240102T030405.678";
    fs::create_directories(run_);
    std::ofstream(run_ / "results.json") << R"({"valid?":true})";
    std::ofstream(run_ / "report.txt") << "Result: valid\n";
  }
  void TearDown() override {
    std::error_code ec;
    if (!store_.empty()) fs::remove_all(store_, ec);
  }
  // A sparse file: large on the wire, nothing on disk.
  void make_large_log() {
    int fd = ::open((run_ / "jepsen.log").c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kLargeFileBytes)), 0);
    ::close(fd);
  }
  std::string log_path() const { return "/broadcast/20240102T030405.678/jepsen.log"; }
  std::string store_;
  fs::path run_;
};

TEST_F(ServeIntegrationTest, ATricklingClientBlocksNeitherOthersNorCtrlC) {
  ServeProcess server(store_);
  ASSERT_GT(server.port(), 0);
  TricklingClient slow(server.port(), "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(100, 'a'), 300ms);
  ASSERT_TRUE(slow.connected());
  std::this_thread::sleep_for(400ms);
  auto start = Clock::now();
  std::string resp =
      http_exchange(server.port(), "GET /broadcast/20240102T030405.678/report.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_TRUE(resp.ends_with("\r\n\r\nResult: valid\n")) << resp;
  start = Clock::now();
  EXPECT_EQ(server.signal_and_wait(SIGINT, 5s), 0);
  EXPECT_LT(Clock::now() - start, 2s) << "Ctrl-C waited for the slow client";
  EXPECT_TRUE(slow.wait_closed(1s));
}

TEST_F(ServeIntegrationTest, ALargeFileIsStreamedInSmallMemory) {
  make_large_log();
  ServeProcess server(store_);
  ASSERT_GT(server.port(), 0);
  long long before = proc_field(server.pid(), "status", "VmHWM:");
  ASSERT_GT(before, 0);
  std::string head;
  uint64_t bytes = get_and_discard(server.port(), log_path(), &head);
  long long after_kb = proc_field(server.pid(), "status", "VmHWM:");
  ASSERT_NE(head.find("Content-Length: " + std::to_string(kLargeFileBytes) + "\r\n"), std::string::npos) << head;
  EXPECT_EQ(bytes, kLargeFileBytes + (head.find("\r\n\r\n") + 4)) << "the body was cut short";
  EXPECT_LT(after_kb - before, 32 * 1024)
      << "peak memory grew by " << (after_kb - before) << " kB serving a 200 MB file";
}

TEST_F(ServeIntegrationTest, HeadOfALargeFileOnlyStatsIt) {
  make_large_log();
  ServeProcess server(store_);
  ASSERT_GT(server.port(), 0);
  long long before = proc_field(server.pid(), "io", "rchar:");
  if (before < 0) GTEST_SKIP() << "/proc/<pid>/io is not readable here";
  std::string resp = http_exchange(server.port(), "HEAD " + log_path() + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  long long read_bytes = proc_field(server.pid(), "io", "rchar:") - before;
  EXPECT_EQ(resp.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << resp;
  EXPECT_NE(resp.find("Content-Length: " + std::to_string(kLargeFileBytes) + "\r\n"), std::string::npos) << resp;
  EXPECT_TRUE(resp.ends_with("\r\n\r\n")) << resp;
  EXPECT_LT(read_bytes, 1 << 20) << "HEAD read " << read_bytes << " bytes";
}

TEST_F(ServeIntegrationTest, AForeignHostIsRefusedUnlessAllowed) {
  ServeProcess server(store_, {"--allow-host", "box.lan"});
  ASSERT_GT(server.port(), 0);
  std::string evil = http_exchange(
      server.port(), "GET /broadcast/20240102T030405.678/report.txt HTTP/1.1\r\nHost: evil.example\r\n\r\n");
  EXPECT_EQ(evil.rfind("HTTP/1.1 421", 0), 0u) << evil;
  EXPECT_NE(evil.find("\"evil.example\" is not this server"), std::string::npos) << evil;
  EXPECT_EQ(evil.find("Result: valid"), std::string::npos) << evil;
  std::string lan =
      http_exchange(server.port(), "GET /broadcast/20240102T030405.678/report.txt HTTP/1.1\r\nHost: box.lan\r\n\r\n");
  EXPECT_TRUE(lan.ends_with("\r\n\r\nResult: valid\n")) << lan;
}

}  // namespace
