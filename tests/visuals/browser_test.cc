// squall serve's pages in a real browser: headless Chromium loads the index, a valid and
// an invalid run page, a message diagram and a timeline from a store made by two short
// real `squall test` runs (g-set on our node, the second with the lose-adds negative
// control). Each page's DOM, as Chromium built it, is checked: the verdict, every
// in-page link and every anomaly link resolving to an element, and no console message
// (an uncaught script error, a resource that failed to load). Screenshots are kept under
// <build>/browser-screenshots/ as CI artifacts. Skipped, saying so, without chromium
// (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <set>

#include "core/testing/subprocess.h"
#include "testing/squall_run.h"

namespace {

namespace fs = std::filesystem;
using squall::testing::kBuild;
using squall::testing::kGossip;
using squall::testing::kSquall;

std::string chromium_path() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (squall::testing::executable(p)) return p;
  return "";
}

// A temporary directory removed however the test ends.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// `squall serve --port 0` on `store`, interrupted (then killed) when the test ends.
class Server {
 public:
  explicit Server(const std::string& store)
      : child_(squall::testing::Subprocess::start(
            {kSquall, "serve", "--store", store, "--port", "0"},
            {.in = squall::testing::Stream::kNull, .err = squall::testing::Stream::kInherit})) {
    std::optional<std::string> line = child_.read_line(std::chrono::seconds(30));
    std::smatch m;
    if (line && std::regex_search(*line, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/)"))) port_ = std::stoi(m[1]);
  }
  ~Server() {
    child_.signal(SIGINT);
    child_.wait_for(std::chrono::seconds(5));
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int port() const { return port_; }

 private:
  squall::testing::Subprocess child_;
  int port_ = 0;
};

struct Loaded {
  std::string dom;
  std::vector<std::string> console;  // console lines Chromium logged
  int exit_code = -1;
};

// Loads `url` in headless Chromium: the DOM after scripts ran, a screenshot, and the
// console messages (with --enable-logging=stderr each is a "CONSOLE" log line).
Loaded load(const std::string& chromium, const fs::path& profile, const std::string& url, const std::string& shot) {
  fs::path shots = fs::path(kBuild) / "browser-screenshots";
  fs::create_directories(shots);
  std::vector<std::string> argv = {"/usr/bin/timeout",
                                   "-s",
                                   "KILL",
                                   "30",
                                   chromium,
                                   "--headless=new",
                                   "--no-sandbox",  // tests run as root in CI containers
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-dev-shm-usage",
                                   "--user-data-dir=" + profile.string(),
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--window-size=1280,1600",
                                   "--screenshot=" + (shots / (shot + ".png")).string(),
                                   "--dump-dom",
                                   url};
  squall::testing::Completed c = squall::testing::run(argv, {}, {.in = squall::testing::Stream::kNull});
  Loaded l;
  l.dom = std::move(c.out);
  l.exit_code = c.exit_code();
  size_t i = 0;
  while (i < c.err.size()) {
    size_t j = c.err.find('\n', i);
    if (j == std::string::npos) j = c.err.size();
    std::string line = c.err.substr(i, j - i);
    if (line.find(":CONSOLE") != std::string::npos) l.console.push_back(line);
    i = j + 1;
  }
  return l;
}

std::vector<std::string> hrefs(const std::string& dom) {
  std::vector<std::string> out;
  std::regex re("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

bool has_id(const std::string& dom, const std::string& id) {
  return dom.find("id=\"" + id + "\"") != std::string::npos;
}

// Chromium serialises '&' in attributes as "&amp;".
std::string unescape_amp(std::string s) {
  for (size_t at = s.find("&amp;"); at != std::string::npos; at = s.find("&amp;", at + 1)) s.replace(at, 5, "&");
  return s;
}

void expect_clean(const Loaded& l, const std::string& what) {
  EXPECT_EQ(l.exit_code, 0) << what;
  EXPECT_NE(l.dom.find("</html>"), std::string::npos) << what << ": no document";
  for (const auto& line : l.console) ADD_FAILURE() << what << ": console: " << line;
}

// Every "#id" link of a page names an element of it.
void expect_in_page_links_resolve(const std::string& dom, const std::string& what) {
  for (const std::string& h : hrefs(dom)) {
    if (h.size() > 1 && h[0] == '#') {
      EXPECT_TRUE(has_id(dom, h.substr(1))) << what << ": " << h;
    }
  }
}

TEST(Browser, RunPagesDiagramsAndTimelinesInHeadlessChromium) {
  std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  if (!squall::testing::have_binaries()) GTEST_SKIP() << "squall or maelstrom_gossip is not built";
  auto started = std::chrono::steady_clock::now();

  std::string store = squall::testing::fresh_store("browser", "store");
  std::string common = " test --store " + store + " -w g-set --bin " + kGossip +
                       " --node-count 3 --time-limit 2 --rate 20 --recovery-time 1";
  auto valid = squall::testing::run_shell("timeout -s KILL 60 " + kSquall + common +
                                          " --nemesis partition --nemesis-interval 0.5");
  ASSERT_EQ(valid.exit_code(), 0) << valid.out << valid.err;
  std::string valid_run = fs::canonical(fs::path(store) / "g-set" / "latest").filename().string();
  auto invalid = squall::testing::run_shell("timeout -s KILL 60 " + kSquall + common + " -- --fault lose-adds");
  ASSERT_EQ(invalid.exit_code(), 1) << invalid.out << invalid.err;
  std::string invalid_run = fs::canonical(fs::path(store) / "g-set" / "latest").filename().string();
  ASSERT_NE(valid_run, invalid_run);

  Server server(store);
  ASSERT_GT(server.port(), 0);
  TempDir profile("squall-chromium-profile");

  Loaded index = load(chromium, profile.path, server.url("/"), "index");
  expect_clean(index, "index");
  EXPECT_TRUE(has_id(index.dom, "filters"));
  EXPECT_NE(index.dom.find("/g-set/" + valid_run + "/"), std::string::npos);
  EXPECT_NE(index.dom.find("class=\"valid-false\""), std::string::npos);

  Loaded good = load(chromium, profile.path, server.url("/g-set/" + valid_run + "/"), "run-valid");
  expect_clean(good, "valid run page");
  EXPECT_NE(good.dom.find("class=\"verdict verdict-true\">VALID<"), std::string::npos) << good.dom;
  EXPECT_FALSE(has_id(good.dom, "anomalies"));
  EXPECT_TRUE(has_id(good.dom, "repro-command"));
  expect_in_page_links_resolve(good.dom, "valid run page");

  Loaded bad = load(chromium, profile.path, server.url("/g-set/" + invalid_run + "/"), "run-invalid");
  expect_clean(bad, "invalid run page");
  EXPECT_NE(bad.dom.find("class=\"verdict verdict-false\">INVALID<"), std::string::npos) << bad.dom;
  EXPECT_TRUE(has_id(bad.dom, "anomalies"));
  expect_in_page_links_resolve(bad.dom, "invalid run page");
  // The violating operations are one click away: the first anomaly's links.
  std::string to_timeline, to_diagram;
  for (const std::string& h : hrefs(bad.dom)) {
    if (to_timeline.empty() && h.starts_with("timeline.html#op-")) to_timeline = h;
    if (to_diagram.empty() && h.starts_with("messages?at=")) to_diagram = unescape_amp(h);
  }
  ASSERT_FALSE(to_timeline.empty()) << bad.dom;
  ASSERT_FALSE(to_diagram.empty()) << bad.dom;

  std::string base = "/g-set/" + invalid_run + "/";
  Loaded timeline = load(chromium, profile.path, server.url(base + to_timeline), "timeline");
  expect_clean(timeline, "timeline");
  EXPECT_TRUE(has_id(timeline.dom, to_timeline.substr(to_timeline.find('#') + 1))) << to_timeline;

  Loaded diagram = load(chromium, profile.path, server.url(base + to_diagram), "message-diagram");
  expect_clean(diagram, "message diagram");
  EXPECT_TRUE(has_id(diagram.dom, "focus")) << to_diagram;
  EXPECT_NE(diagram.dom.find("class=\"msg delivered"), std::string::npos);
  EXPECT_TRUE(has_id(diagram.dom, "hover-data"));  // hover text, one table for the page
  // A link to one message shows its hover text (sender, receiver, body) once scripts ran.
  std::smatch drawn;
  ASSERT_TRUE(std::regex_search(diagram.dom, drawn, std::regex("class=\"msg [a-z ]+\" id=\"m([0-9]+)\"")));
  std::string id = drawn[1];
  Loaded one = load(chromium, profile.path, server.url(base + to_diagram.substr(0, to_diagram.find('#')) + "#m" + id),
                    "message-hover");
  expect_clean(one, "message diagram, one message");
  std::smatch tip;
  ASSERT_TRUE(std::regex_search(one.dom, tip, std::regex("<div id=\"tip\"[^>]*>([^<]*)</div>"))) << one.dom.size();
  EXPECT_EQ(tip[0].str().find("hidden"), std::string::npos) << tip[0];
  EXPECT_NE(tip[1].str().find(" #" + id + " sent at "), std::string::npos) << tip[1];
  EXPECT_TRUE(tip[1].str().find("\n{") != std::string::npos ||              // the body,
              tip[1].str().find("\n(body not kept)") != std::string::npos)  // or why there is none
      << tip[1];

  for (const char* shot : {"index", "run-valid", "run-invalid", "timeline", "message-diagram", "message-hover"})
    EXPECT_TRUE(fs::exists(fs::path(kBuild) / "browser-screenshots" / (std::string(shot) + ".png"))) << shot;
  std::printf("browser test took %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
