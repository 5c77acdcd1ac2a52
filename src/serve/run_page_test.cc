// The run page, the message diagram page and the index filters, on generated run
// directories (no real run needed; tests/serve and tests/browser use real ones).
#include "serve/run_page.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "serve/message_page.h"
#include "serve/run_history.h"
#include "serve/store_browser.h"
#include "viz/message_table.h"
#include "viz/testing/xml_check.h"
#include "viz/timeline.h"

namespace squall::serve {
namespace {

namespace fs = std::filesystem;

// Every value of `attr` in `html` (e.g. every href).
std::vector<std::string> attrs(const std::string& html, const std::string& attr) {
  std::vector<std::string> out;
  std::regex re(attr + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

bool has_id(const std::string& html, const std::string& id) {
  return html.find("id=\"" + id + "\"") != std::string::npos;
}

class RunPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("squall-run-page-test-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    run_ = base_ / "store" / "g-set" / "20240102T030405.678";
    // A g-set run that lost element 7: added at 1 s, never read back.
    std::string history;
    viz::Ops ops;
    int64_t index = 0;
    for (int i = 0; i < 20; ++i) {
      int64_t t = i * 100'000'000;
      history += fmt::format("{{:type :invoke, :f :add, :value {}, :process 0, :time {}, :index {}}}\n", i, t, index);
      viz::OpSpan s;
      s.index = index++;
      s.f = "add";
      s.invoke_ns = t;
      s.complete_ns = t + 1000;
      s.outcome = viz::Outcome::kOk;
      ops.spans.push_back(s);
      history +=
          fmt::format("{{:type :ok, :f :add, :value {}, :process 0, :time {}, :index {}}}\n", i, t + 1000, index++);
      if (i == 5)
        history += fmt::format(
            "{{:type :info, :f :start-partition, :value :majority, :process :nemesis, :time {}, "
            ":index {}}}\n",
            t + 2000, index++);
      if (i == 12)
        history +=
            fmt::format("{{:type :info, :f :stop-partition, :value nil, :process :nemesis, :time {}, :index {}}}\n",
                        t + 2000, index++);
    }
    ops.end_ns = 2'000'000'000;
    squall::testing::write_file(run_ / "history.edn", history);
    squall::testing::write_file(run_ / "timeline.html", viz::render_timeline(ops, "g-set"));
    squall::testing::write_file(
        run_ / "results.edn",
        "{:workload {:valid? false, :attempt-count 20, :lost-count 1, :lost [7], :lost-examples [{:element 7, "
        ":known-time-ms 700}], :stale-count 0, :stale []}, :stats {:valid? true, :count 40}, :valid? false}\n");
    squall::testing::write_file(
        run_ / "report.txt",
        "MAELSTROM REPORT\nResult: FAIL <b>\nReproduce: squall test -w g-set --bin build/maelstrom_gossip "
        "--node-count 3 --rate 20 --seed 42\n");
    squall::testing::write_file(run_ / "latency-raw.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    std::string log = "FIRST LINE OF THE LOG\n";
    for (int i = 0; i < 2000; ++i) log += fmt::format("line {} of the node's chatter\n", i);
    log += "LAST LINE <script>\n";
    squall::testing::write_file(run_ / "node-logs" / "n0.log", log);
    std::string tsv = std::string(viz::kMessageTableHeader) + "\n";
    for (int i = 1; i <= 4000; ++i) {
      viz::DiagramMessage m;
      m.id = i;
      m.src = fmt::format("n{}", i % 5);
      m.dest = fmt::format("n{}", (i + 1) % 5);
      m.send_ns = static_cast<int64_t>(i) * 500'000;  // 4000 messages over 2 s
      m.end_ns = m.send_ns + 100'000;
      m.fate = viz::MessageFate::kDelivered;
      m.body = fmt::format(R"({{"type":"gossip","messages":[{}]}})", i);
      tsv += viz::format_message_row(m);
    }
    tsv += "this line is not a message\n";
    squall::testing::write_file(run_ / "messages.tsv", tsv);
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string page() const { return render_run_page(run_.string(), "/g-set/20240102T030405.678/"); }
  Response messages(const std::string& query) const {
    return render_message_page(run_.string(), "/g-set/20240102T030405.678/", query);
  }

  fs::path base_, run_;
};

TEST_F(RunPageTest, VerdictWhyAndAnomalyLinksThatResolve) {
  std::string html = page();
  auto check = squall::testing::check_xml(html.substr(html.find("<html")));
  EXPECT_TRUE(check.ok) << check.error;
  EXPECT_NE(html.find("class=\"verdict verdict-false\">INVALID<"), std::string::npos);
  // Why: the failed checker, with the count of what it found; the passing one is absent.
  EXPECT_NE(html.find(">workload</a> is invalid: lost 1<"), std::string::npos) << html;
  EXPECT_EQ(html.find(">stats</a>"), std::string::npos);
  // Every in-page link resolves to an element of the page.
  std::ifstream tl(run_ / "timeline.html");
  std::string timeline(std::istreambuf_iterator<char>(tl), {});
  int to_timeline = 0, to_diagram = 0;
  for (const std::string& href : attrs(html, "href")) {
    if (href.starts_with("#")) {
      EXPECT_TRUE(has_id(html, href.substr(1))) << href;
    }
    if (href.starts_with("timeline.html#")) {
      ++to_timeline;
      EXPECT_TRUE(has_id(timeline, href.substr(14))) << href;
    }
    if (href.starts_with("messages?at=")) {
      ++to_diagram;
      Response r = messages(href.substr(9, href.find('#') - 9));
      EXPECT_EQ(r.status, 200);
      EXPECT_TRUE(has_id(r.body, "focus")) << href;
    }
  }
  // Element 7 was added by op 15 (the invocation; the partition is op 12), at 700 ms.
  EXPECT_NE(html.find("href=\"timeline.html#op-15\""), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"messages?at=700#focus\""), std::string::npos);
  EXPECT_EQ(to_timeline, 1);
  EXPECT_EQ(to_diagram, 1);
}

TEST_F(RunPageTest, ReproduceFlagsPlotsLogsAndFiles) {
  std::string html = page();
  EXPECT_NE(html.find("<pre id=\"repro-command\">squall test -w g-set --bin build/maelstrom_gossip --node-count 3"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"copy-repro\""), std::string::npos);
  EXPECT_NE(html.find("<tr><td>--node-count</td><td>3</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>--seed</td><td>42</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"latency-raw.svg\""), std::string::npos);
  // The report and the logs are text, escaped.
  EXPECT_NE(html.find("Result: FAIL &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("LAST LINE &lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>\n"), html.find("<script>\nfunction"));  // only the page's own script
  EXPECT_EQ(html.find("FIRST LINE OF THE LOG"), std::string::npos);     // the tail, not the whole log
  EXPECT_NE(html.find("href=\"node-logs/n0.log\""), std::string::npos);
  EXPECT_NE(html.find("href=\"messages.tsv\""), std::string::npos);
}

TEST_F(RunPageTest, ClusterAndCheckOnlyDirectoriesRenderToo) {
  fs::path cluster = base_ / "store" / "lin-kv" / "20240103T000000.000";
  squall::testing::write_file(cluster / "results.edn", "{:workload {:valid? true}, :valid? true}");
  squall::testing::write_file(cluster / "history.edn",
                              "{:type :invoke, :f :read, :value nil, :process 0, :time 5, :index 0}\n");
  squall::testing::write_file(cluster / "n1" / "node.log", "hello from n1\n");
  std::string html = render_run_page(cluster.string(), "/lin-kv/20240103T000000.000/");
  EXPECT_NE(html.find(">VALID<"), std::string::npos);
  EXPECT_NE(html.find("hello from n1"), std::string::npos);
  fs::path checked = base_ / "store" / "cas" / "20240104T000000.000";
  squall::testing::write_file(checked / "history.edn", "garbage that is not edn\n");
  squall::testing::write_file(checked / "history.edn.html", "<html/>");
  html = render_run_page(checked.string(), "/cas/20240104T000000.000/");
  EXPECT_NE(html.find(">INCOMPLETE (no results yet)<"), std::string::npos);
  EXPECT_NE(html.find("href=\"history.edn.html\""), std::string::npos);
}

TEST_F(RunPageTest, DiagramPagesReachEveryMessageWithBoundedSize) {
  std::set<int64_t> seen;
  std::string query = "after=0";
  int told_malformed = 0;
  // One <path> per drawn message (its continuations into later bands are class "cont").
  std::regex msg_id("<path class=\"msg [a-z ]+\" id=\"m([0-9]+)\"");
  for (int pages = 0; pages < 10; ++pages) {
    Response r = messages(query);
    ASSERT_EQ(r.status, 200);
    EXPECT_LT(r.body.size(), 2u << 20);
    size_t drawn = 0;
    // The hover table: one entry per drawn message, with its body.
    size_t table_at = r.body.find("<script type=\"application/json\" id=\"hover-data\">");
    ASSERT_NE(table_at, std::string::npos);
    std::string table = r.body.substr(table_at, r.body.find("</script>", table_at) - table_at);
    for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), msg_id); it != std::sregex_iterator(); ++it) {
      int64_t id = std::stoll((*it)[1]);
      EXPECT_TRUE(seen.insert(id).second);
      EXPECT_NE(table.find(fmt::format("\"{}\":\"", id)), std::string::npos) << id;
      ++drawn;
    }
    EXPECT_NE(table.find("\\\"type\\\":\\\"gossip\\\""), std::string::npos);  // bodies, JSON-escaped
    EXPECT_LE(drawn, viz::kMaxDrawnMessages);
    // The bad line is reported by the page whose scan reaches it.
    if (r.body.find("1 malformed lines skipped; the first: messages.tsv:4002:") != std::string::npos) ++told_malformed;
    auto later = r.body.find("id=\"later\" href=\"messages?");
    if (later == std::string::npos) break;
    size_t q = r.body.find('?', later) + 1;
    query = r.body.substr(q, r.body.find('"', q) - q);
  }
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_EQ(*seen.rbegin(), 4000);
  EXPECT_GE(told_malformed, 1);
}

TEST_F(RunPageTest, DiagramDefaultsToTheFirstAnomalyAndShadesFaults) {
  Response r = messages("");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has_id(r.body, "focus"));
  // Around 700 ms: message 1400 (sent at 700 ms) is drawn, message 1 is not.
  EXPECT_TRUE(has_id(r.body, "m1400"));
  EXPECT_FALSE(has_id(r.body, "m1"));
  EXPECT_NE(r.body.find("class=\"fault\""), std::string::npos);
  // A time range, and hostile parameters.
  Response range = messages("from=100&to=101");
  EXPECT_TRUE(has_id(range.body, "m200"));
  EXPECT_TRUE(has_id(range.body, "m202"));
  EXPECT_FALSE(has_id(range.body, "m203"));
  for (const char* q : {"at=nan", "from=1e300", "after=-5", "at=%zz", "before=abc", "from=<script>"})
    EXPECT_EQ(messages(q).status, 200) << q;
  EXPECT_EQ(render_message_page((base_ / "nope").string(), "/x/", "").status, 404);
}

TEST(RunHistory, FindsOpsByValueFaultsAndSkipsDamagedLines) {
  fs::path dir = fs::temp_directory_path() / ("squall-run-history-test-" + std::to_string(::getpid()));
  squall::testing::write_file(
      dir / "history.edn",
      "[\n"
      "{:type :invoke, :f :read, :value nil, :process 3, :time 10, :index 0}\n"
      "{:type :ok, :f :read, :value [1 22 7], :process 3, :time 20, :index 1}\n"
      "{:type :invoke, :f :add, :value 5, :process 4, :time 30, :index 7}\n"
      "not a map at all\n"
      "{:type :info, :f :start-partition, :value :majority, :process :nemesis, :time 40, :index 3}\n"
      "{:type :ok, :f :add, :value 5, :process 4, :time 50, :index 4}\n"
      "]\n");
  RunHistory h = RunHistory::read((dir / "history.edn").string());
  EXPECT_EQ(h.skipped_lines(), 1u);
  // 5 was added by the invocation at index 7; 22 only appears in a read, whose
  // invocation is op 0; "7" is an index, not a value, and only the read holds 7.
  ASSERT_NE(h.invocation_with_value("5"), nullptr);
  EXPECT_EQ(h.invocation_with_value("5")->invocation, 7);
  ASSERT_NE(h.invocation_with_value("22"), nullptr);
  EXPECT_EQ(h.invocation_with_value("22")->invocation, 0);
  EXPECT_EQ(h.invocation_with_value("2"), nullptr);
  ASSERT_NE(h.invocation_with_value("7"), nullptr);
  EXPECT_EQ(h.invocation_with_value("7")->index, 1);
  ASSERT_EQ(h.faults().size(), 1u);
  EXPECT_EQ(h.faults()[0].start_ns, 40);
  EXPECT_EQ(h.faults()[0].end_ns, 50);  // never healed: to the end of the history
  EXPECT_EQ(h.faults()[0].label, "partition :majority");
  EXPECT_EQ(h.invocation_at(25)->index, 7);
  EXPECT_EQ(RunHistory::read((dir / "missing.edn").string()).end_ns(), 0);
  fs::remove_all(dir);
}

// A generated store of 1,000 runs: filters select the right rows.
TEST(StoreIndex, FiltersAThousandRuns) {
  fs::path root = fs::temp_directory_path() / ("squall-index-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  for (int i = 0; i < 1000; ++i) {
    std::string workload = i % 2 == 0 ? "broadcast" : "lin-kv";
    fs::path run = root / workload / fmt::format("202401{:02}T00{:04}.000", 1 + i % 28, i);
    squall::testing::write_file(run / "results.edn", i % 10 == 0 ? "{:valid? false}" : "{:valid? true}");
  }
  StoreBrowser browser(root.string());
  auto rows = [&](const std::string& query) {
    Response r = browser.handle(Request{"GET", "/", query});
    EXPECT_EQ(r.status, 200);
    size_t n = 0;
    for (size_t at = r.body.find("<tr class=\"run\">"); at != std::string::npos;
         at = r.body.find("<tr class=\"run\">", at + 1))
      ++n;
    return n;
  };
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rows(""), 1000u);
  auto first = std::chrono::steady_clock::now();
  EXPECT_EQ(rows("workload=lin-kv"), 500u);
  EXPECT_EQ(rows("verdict=false"), 100u);
  EXPECT_EQ(rows("verdict=false&workload=lin-kv"), 0u);  // every tenth run is even
  EXPECT_EQ(rows("date=2024-01-03"), 36u);               // i % 28 == 2
  EXPECT_EQ(rows("date=20240103&workload=broadcast"), 36u);
  auto end = std::chrono::steady_clock::now();
  // Not a timed assertion (machines vary); printed so a slow index shows in the log.
  std::printf("index of 1000 runs: first %.1f ms, five filtered (cached verdicts) %.1f ms\n",
              std::chrono::duration<double, std::milli>(first - start).count(),
              std::chrono::duration<double, std::milli>(end - first).count());
  fs::remove_all(root);
}

}  // namespace
}  // namespace squall::serve
