#include "viz/txn_graph.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "viz/testing/xml_check.h"

namespace squall::viz {
namespace {

// Read skew on two keys (G-single): T1 reads x before T2's append and y after it.
TxnCycle g_single() {
  TxnCycle g;
  g.anomaly = "G-single";
  g.rules_out = {"snapshot-isolation"};
  g.also_rules_out = {"serializable", "strict-serializable"};
  g.txns = {{"T1", "0", "ok", {"[:r 3 [1]]", "[:r 4 [1 2]]"}}, {"T2", "1", "ok", {"[:append 3 2]", "[:append 4 2]"}}};
  g.arrows = {{0, 1, "rw", "rw 3 1→2"}, {1, 0, "wr", "wr 4=2"}};
  return g;
}

// G1c across three txns with a process edge, and markup in a value.
TxnCycle g1c() {
  TxnCycle g;
  g.anomaly = "G1c-process";
  g.rules_out = {"strong-session-read-committed"};
  g.txns = {{"T10", "0", "ok", {"[:append \"<x>\" 1]"}},
            {"T11", "0", "ok", {"[:append y 1]", "[:r \"<x>\" [1]]"}},
            {"T12", "2", "info", {"[:r y [1]]", "[:append \"<x>\" 2]"}}};
  g.arrows = {{0, 1, "process", "process 0"}, {1, 2, "wr", "wr y=1"}, {2, 0, "ww", "ww \"<x>\" 2→1"}};
  return g;
}

void expect_self_contained(const std::string& svg) {
  EXPECT_EQ(svg.find("href=\"http"), std::string::npos);
  EXPECT_EQ(svg.find("href='http"), std::string::npos);
  EXPECT_EQ(svg.find("@import"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("@font-face"), std::string::npos);
  // The only http text is the SVG namespace name, which is not fetched.
  size_t http = 0;
  for (size_t at = svg.find("http"); at != std::string::npos; at = svg.find("http", at + 1)) ++http;
  EXPECT_EQ(http, 1u) << svg;
}

TEST(TxnGraph, GSingleIsWellFormedAndNamesEveryTxnAndEdge) {
  std::string svg = render_txn_cycle(g_single());
  auto x = squall::testing::check_xml(svg);
  ASSERT_TRUE(x.ok) << x.error << "\n" << svg;
  expect_self_contained(svg);
  for (const char* s : {"G-single: a dependency cycle through 2 transactions", "rules out: snapshot-isolation",
                        "serializable, strict-serializable", "T1 · p0 · ok", "T2 · p1 · ok", "[:r 4 [1 2]]",
                        "[:append 3 2]", "rw 3 1→2", "wr 4=2"})
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  EXPECT_EQ(x.tags["rect"], 1 + 2 + 2);  // the background, two boxes, two label backgrounds
  EXPECT_EQ(x.classes["edge edge-rw"], 1);
  EXPECT_EQ(x.classes["edge edge-wr"], 1);
  // The legend names every edge kind in its colour.
  for (const char* k : {"ww", "wr", "rw", "process", "realtime"})
    EXPECT_NE(svg.find(fmt::format("stroke=\"{}\"", txn_edge_colour(k))), std::string::npos) << k;
  EXPECT_NE(std::string(txn_edge_colour("rw")), txn_edge_colour("wr"));
}

TEST(TxnGraph, G1cEscapesValuesAndDrawsProcessEdges) {
  std::string svg = render_txn_cycle(g1c());
  auto x = squall::testing::check_xml(svg);
  ASSERT_TRUE(x.ok) << x.error << "\n" << svg;
  expect_self_contained(svg);
  EXPECT_EQ(svg.find("<x>"), std::string::npos);
  for (const char* s : {"G1c-process", "T10 · p0 · ok", "T11", "T12 · p2 · info", "[:append &quot;&lt;x&gt;&quot; 1]",
                        "process 0", "wr y=1", "ww &quot;&lt;x&gt;&quot; 2→1"})
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  EXPECT_EQ(x.classes["edge edge-process"], 1);
  EXPECT_EQ(x.classes["edge edge-ww"], 1);
  EXPECT_EQ(x.classes["txn"], 3);
}

TEST(TxnGraph, LongCyclesAndBoxesAreCappedAndSaySo) {
  TxnCycle g;
  g.anomaly = "G2-item";
  const size_t n = kTxnGraphMaxTxns + 5;
  for (size_t i = 0; i < n; ++i) {
    TxnNode t{fmt::format("T{}", i), "0", "ok", {}};
    for (size_t k = 0; k < kTxnGraphMaxMops + 3; ++k) t.mops.push_back(fmt::format("[:r {} nil]", k));
    t.mops.push_back(std::string(500, 'v'));
    g.txns.push_back(t);
    g.arrows.push_back({i, (i + 1) % n, "rw", fmt::format("rw {}", i)});
  }
  std::string svg = render_txn_cycle(g);
  auto x = squall::testing::check_xml(svg);
  ASSERT_TRUE(x.ok) << x.error;
  EXPECT_EQ(x.classes["txn"], static_cast<int>(kTxnGraphMaxTxns));
  EXPECT_NE(svg.find(fmt::format("showing the first {} of the {} transactions in the cycle", kTxnGraphMaxTxns, n)),
            std::string::npos);
  EXPECT_NE(svg.find("… 5 more transactions"), std::string::npos);
  EXPECT_NE(svg.find("… 4 more micro-ops"), std::string::npos);
  EXPECT_EQ(svg.find(fmt::format("T{}", kTxnGraphMaxTxns) + " "), std::string::npos);
  EXPECT_EQ(svg.find(std::string(100, 'v')), std::string::npos);  // long lines are cut
  EXPECT_LT(svg.size(), 40'000u);
}

TEST(TxnGraph, EdgesToUnknownTxnsAreSkipped) {
  TxnCycle g = g_single();
  g.arrows.push_back({0, 7, "ww", "bogus"});
  g.arrows.push_back({1, 1, "ww", "self"});
  std::string svg = render_txn_cycle(g);
  EXPECT_TRUE(squall::testing::check_xml(svg).ok);
  EXPECT_EQ(svg.find("bogus"), std::string::npos);
  EXPECT_EQ(svg.find(">self<"), std::string::npos);
}

}  // namespace
}  // namespace squall::viz
