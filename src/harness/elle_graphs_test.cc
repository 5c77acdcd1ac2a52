#include "harness/elle_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "checker/txn/checker.h"
#include "checker/txn/convert.h"
#include "core/testing/files.h"
#include "history/edn.h"
#include "viz/testing/xml_check.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;
using history::Value;

// The txn checker's result on an elle-cli JSON history.
Value check(const char* json, checker::txn::Workload workload) {
  auto h = checker::txn::parse_elle_json(json, "test.json");
  EXPECT_TRUE(h.ok()) << h.error();
  auto th = checker::txn::from_history(*h, workload);
  EXPECT_TRUE(th.ok()) << th.error();
  checker::txn::Options o;
  o.workload = workload;
  return checker::txn::to_value(checker::txn::check(*th, o));
}

// Each txn appends to one key and reads the other's append: G1c (wr both ways).
const char* kG1c = R"([
 {"type":"invoke","process":0,"value":[["append","x",1],["r","y",null]]},
 {"type":"invoke","process":1,"value":[["append","y",1],["r","x",null]]},
 {"type":"ok","process":0,"value":[["append","x",1],["r","y",[1]]]},
 {"type":"ok","process":1,"value":[["append","y",1],["r","x",[1]]]}
])";

// Read skew on registers (G-single): T0 reads x before T1's write and y after it.
const char* kGSingle = R"([
 {"type":"invoke","process":0,"value":[["r","x",null],["r","y",null]]},
 {"type":"invoke","process":1,"value":[["w","x",1],["w","y",1]]},
 {"type":"ok","process":1,"value":[["w","x",1],["w","y",1]]},
 {"type":"ok","process":0,"value":[["r","x",null],["r","y",1]]}
])";

const char* kValid = R"([
 {"type":"invoke","process":0,"value":[["append","x",1]]},
 {"type":"ok","process":0,"value":[["append","x",1]]},
 {"type":"invoke","process":1,"value":[["r","x",null]]},
 {"type":"ok","process":1,"value":[["r","x",[1]]]}
])";

TEST(ElleGraphs, G1cBecomesOneDrawingWithBothReadsLabelled) {
  auto d = elle_drawings(check(kG1c, checker::txn::Workload::kListAppend));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].file, "G1c-0.svg");
  const viz::TxnCycle& g = d[0].cycle;
  EXPECT_EQ(g.anomaly, "G1c");
  EXPECT_EQ(g.rules_out, (std::vector<std::string>{"read-committed"}));
  EXPECT_FALSE(g.also_rules_out.empty());
  ASSERT_EQ(g.txns.size(), 2u);  // the repeated first txn is not drawn twice
  for (const auto& t : g.txns) {
    EXPECT_EQ(t.outcome, "ok");
    EXPECT_EQ(t.mops.size(), 2u);
  }
  EXPECT_EQ(g.txns[0].mops[0].substr(0, 9), "[:append ");
  ASSERT_EQ(g.arrows.size(), 2u);
  std::vector<std::string> labels;
  for (const auto& a : g.arrows) {
    EXPECT_EQ(a.kind, "wr");
    EXPECT_NE(a.from, a.to);
    labels.push_back(a.label);
  }
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"wr \"x\"=1", "wr \"y\"=1"}));
}

TEST(ElleGraphs, GSingleHasOneAntiDependencyFromTheInitialState) {
  auto d = elle_drawings(check(kGSingle, checker::txn::Workload::kRwRegister));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].file, "G-single-0.svg");
  // G-single is also a G2-item cycle, so repeatable read goes too.
  EXPECT_EQ(d[0].cycle.rules_out, (std::vector<std::string>{"repeatable-read", "snapshot-isolation"}));
  std::vector<std::string> labels;
  for (const auto& a : d[0].cycle.arrows) labels.push_back(a.label);
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"rw \"x\" ∅→1", "wr \"y\"=1"}));
}

TEST(ElleGraphs, WritesTheSvgsAndAnIndexOnlyWhenThereIsACycle) {
  fs::path dir = fs::temp_directory_path() / ("squall-elle-graphs-test-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{dir};
  fs::remove_all(dir);
  auto none = write_elle_graphs((dir / "valid").string(), check(kValid, checker::txn::Workload::kListAppend));
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(fs::exists(dir / "valid"));

  Value w = check(kG1c, checker::txn::Workload::kListAppend);
  ASSERT_TRUE(add_elle_graphs(dir.string(), &w).ok());
  EXPECT_EQ(history::to_edn(*w.get("elle-graphs")), "[\"elle/G1c-0.svg\" \"elle/index.html\"]");
  EXPECT_NE(history::to_edn(*w.get("report-lines")).find("anomaly graphs: 1 drawing in"), std::string::npos);
  std::string svg = squall::testing::read_file(dir / "elle" / "G1c-0.svg");
  auto x = squall::testing::check_xml(svg);
  EXPECT_TRUE(x.ok) << x.error;
  EXPECT_NE(svg.find("G1c: a dependency cycle through 2 transactions"), std::string::npos);
  EXPECT_NE(svg.find("wr &quot;x&quot;=1"), std::string::npos);
  std::string index = squall::testing::read_file(dir / "elle" / "index.html");
  auto xi = squall::testing::check_xml(index);
  EXPECT_TRUE(xi.ok) << xi.error << index;
  EXPECT_NE(index.find("href=\"G1c-0.svg\""), std::string::npos);
  EXPECT_NE(index.find("src=\"G1c-0.svg\""), std::string::npos);
}

TEST(ElleGraphs, MalformedExamplesAreSkipped) {
  Value r = Value::array_map();
  Value anomalies = Value::array_map();
  Value bad = Value::array_map();
  bad.set("cycle", Value(3));
  Value half = Value::array_map();
  half.set("cycle", Value::vector({Value(1), Value("x")}));
  half.set("steps", Value::vector({Value::vector(), Value(2)}));
  anomalies.set(Value::keyword("G0"), Value::vector({bad, half, Value()}));
  anomalies.set(Value::keyword("G1a"), Value(5));
  r.set("anomalies", anomalies);
  auto d = elle_drawings(r);
  ASSERT_EQ(d.size(), 1u);  // `half` has the shape, if not the content: drawn, no arrows
  EXPECT_TRUE(d[0].cycle.arrows.empty());
  EXPECT_TRUE(squall::testing::check_xml(viz::render_txn_cycle(d[0].cycle)).ok);
  EXPECT_TRUE(elle_drawings(Value(7)).empty());
}

}  // namespace
}  // namespace squall::harness
