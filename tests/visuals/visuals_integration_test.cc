// A short `squall test` run writes messages.svg, timeline.html, latency-raw.svg and
// rate.svg, well-formed and agreeing with the run's own counts; `squall serve` lists the
// run, serves its files with the right types, refuses traversal, and stops on SIGINT.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <regex>

#include "core/testing/subprocess.h"
#include "serve/testing/http_exchange.h"
#include "testing/squall_run.h"
#include "viz/testing/xml_check.h"

namespace {

namespace fs = std::filesystem;
using squall::testing::kGossip;
using squall::testing::kSquall;
using squall::testing::slurp;

int count_of(const squall::testing::XmlCheck& c, const std::string& cls) {
  auto it = c.classes.find(cls);
  return it == c.classes.end() ? 0 : it->second;
}

// results.json's integer at a path of keys, or -1.
int64_t json_int(const std::string& json, std::initializer_list<const char*> path) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) return -1;
  const rapidjson::Value* v = &doc;
  for (const char* key : path) {
    if (!v->IsObject() || !v->HasMember(key)) return -1;
    v = &(*v)[key];
  }
  return v->IsInt64() ? v->GetInt64() : -1;
}

// The checks below share one broadcast run. ctest runs every test in its own process,
// so the run is made by the one test that calls the checks (a fixture's shared setup
// would run once per process, all into the same store).
const squall::testing::RunResult* run_ = nullptr;

void check_artifacts_well_formed() {
  fs::path dir = run_->run_dir();
  for (const char* name : {"messages.svg", "timeline.html", "latency-raw.svg", "rate.svg"}) {
    ASSERT_TRUE(fs::exists(dir / name)) << name;
    auto check = squall::testing::check_xml(slurp(dir / name));
    EXPECT_TRUE(check.ok) << name << ": " << check.error;
  }
}

void check_message_diagram() {
  fs::path dir = run_->run_dir();
  std::string svg = slurp(dir / "messages.svg");
  auto check = squall::testing::check_xml(svg);
  ASSERT_TRUE(check.ok) << check.error;
  std::string results = slurp(dir / "results.json");
  int64_t sent = json_int(results, {"net", "all", "send-count"});
  ASSERT_GT(sent, 0) << results;
  int drawn = count_of(check, "msg delivered") + count_of(check, "msg delivered client") +
              count_of(check, "msg dropped") + count_of(check, "msg inflight");
  EXPECT_EQ(drawn, std::min<int64_t>(sent, 2000));
  if (sent > 2000) {
    EXPECT_NE(svg.find("Showing the first 2000 of"), std::string::npos);
  }
  // Lanes for the five nodes and labels from real bodies.
  for (const char* n : {">n0<", ">n4<", ">c"}) EXPECT_NE(svg.find(n), std::string::npos) << n;
  EXPECT_NE(svg.find(">topology"), std::string::npos);
  EXPECT_NE(svg.find(">broadcast message="), std::string::npos);
}

void check_timeline() {
  fs::path dir = run_->run_dir();
  auto check = squall::testing::check_xml(slurp(dir / "timeline.html"));
  ASSERT_TRUE(check.ok) << check.error;
  std::string results = slurp(dir / "results.json");
  // Completed operations as the run counted them; open ones are drawn too, as such.
  ASSERT_GT(json_int(results, {"stats", "ok-count"}), 0) << results;
  EXPECT_EQ(count_of(check, "op ok"), json_int(results, {"stats", "ok-count"}));
  EXPECT_EQ(count_of(check, "op fail"), json_int(results, {"stats", "fail-count"}));
  EXPECT_EQ(count_of(check, "op info"), json_int(results, {"stats", "info-count"}));
}

// ---- squall serve ---------------------------------------------------------------------

struct Http {
  int status = 0;
  std::string head, body;
};

Http http_get(int port, const std::string& path) {
  Http r;
  const std::string all = squall::testing::http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  size_t split = all.find("\r\n\r\n");
  if (all.size() < 12 || split == std::string::npos) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.head = all.substr(0, split);
  r.body = all.substr(split + 4);
  return r;
}

// `squall serve --port 0` in a child process (killed with the Server unless
// interrupted); the port is read from its first line.
class Server {
 public:
  explicit Server(const std::string& store)
      : child_(squall::testing::Subprocess::start(
            {kSquall, "serve", "--store", store, "--port", "0"},
            {.in = squall::testing::Stream::kInherit, .err = squall::testing::Stream::kInherit})) {
    std::optional<std::string> line = child_.read_line(std::chrono::seconds(30));
    std::smatch m;
    if (line && std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/)"))) port_ = std::stoi(m[1]);
  }
  int port() const { return port_; }
  // SIGINT, then the exit status (-1 if it did not exit within 5 s).
  int interrupt() {
    child_.signal(SIGINT);
    std::optional<int> st = child_.wait_for(std::chrono::seconds(5));
    return st && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  }

 private:
  squall::testing::Subprocess child_;
  int port_ = 0;
};

void check_serve() {
  Server server(run_->store);
  ASSERT_GT(server.port(), 0);
  std::string run = fs::canonical(run_->run_dir()).filename().string();

  Http index = http_get(server.port(), "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.head.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(index.body.find("/broadcast/" + run + "/messages.svg"), std::string::npos) << index.body;
  EXPECT_NE(index.body.find("class=\"valid-true\""), std::string::npos);

  Http svg = http_get(server.port(), "/broadcast/" + run + "/messages.svg");
  EXPECT_EQ(svg.status, 200);
  EXPECT_NE(svg.head.find("Content-Type: image/svg+xml"), std::string::npos);
  EXPECT_EQ(svg.body, slurp(run_->run_dir() / "messages.svg"));
  Http html = http_get(server.port(), "/latest/timeline.html");
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.head.find("Content-Type: text/html"), std::string::npos);
  Http edn = http_get(server.port(), "/latest/results.edn");
  EXPECT_NE(edn.head.find("Content-Type: application/edn"), std::string::npos);

  for (const char* p : {"/../../../../etc/passwd", "/broadcast/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd"}) {
    Http bad = http_get(server.port(), p);
    EXPECT_TRUE(bad.status == 403 || bad.status == 404) << p << " -> " << bad.status;
    EXPECT_EQ(bad.body.find("root:"), std::string::npos) << p;
  }
  EXPECT_EQ(server.interrupt(), 0);
}

TEST(Visuals, BroadcastRunDrawsItselfAndServeBrowsesIt) {
  if (!squall::testing::executable(kGossip)) GTEST_SKIP() << "maelstrom_gossip is not built";
  // Recovery of 3 s: with partitions every second, gossip retries back off past 1 s, and a
  // shorter wait makes the final reads (and so the run) fail on some seeds.
  squall::testing::RunResult run =
      squall::testing::squall_test("visuals", "broadcast",
                                   "-w broadcast --bin " + kGossip +
                                       " --node-count 5 --time-limit 3 --rate 20 --latency 20 --nemesis partition "
                                       "--nemesis-interval 1 --recovery-time 3");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  run_ = &run;
  {
    SCOPED_TRACE("artifacts");
    check_artifacts_well_formed();
  }
  {
    SCOPED_TRACE("messages.svg");
    check_message_diagram();
  }
  {
    SCOPED_TRACE("timeline.html");
    check_timeline();
  }
  {
    SCOPED_TRACE("squall serve");
    check_serve();
  }
  run_ = nullptr;
}

TEST(ServeCli, HelpAndUsage) {
  using squall::testing::Stream;
  squall::testing::Completed help =
      squall::testing::run({kSquall, "serve", "--help"}, {}, {.in = Stream::kNull, .err = Stream::kInherit});
  EXPECT_EQ(help.status, 0);
  for (const char* opt : {"--store", "--port", "--host"}) EXPECT_NE(help.out.find(opt), std::string::npos) << help.out;
  help = squall::testing::run({kSquall, "--help"}, {}, {.in = Stream::kNull, .err = Stream::kInherit});
  EXPECT_NE(help.out.find("serve"), std::string::npos) << help.out;
}

}  // namespace
