// `squall check --model list-append|rw-register`, in process: elle-cli JSON and Jepsen EDN
// input, --consistency-models, exit codes, Elle's result shape, bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_run.h"

namespace squall {
namespace {

using check_cli_test::CliRun;
using check_cli_test::run;

// Files live in a directory removed when the test ends, passed or failed.
class TxnCli : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string file(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(dir_);
    auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("squall-txn-cli-" + std::to_string(::getpid()));
};

// elle-cli's JSON: no :f, string micro-op names; a G1c cycle.
const char* kG1cJson = R"([
 {"type":"invoke","process":0,"value":[["append","x",1],["r","y",null]]},
 {"type":"invoke","process":1,"value":[["append","y",1],["r","x",null]]},
 {"type":"ok","process":0,"value":[["append","x",1],["r","y",[1]]]},
 {"type":"ok","process":1,"value":[["append","y",1],["r","x",[1]]]}
])";

// Jepsen EDN: write skew on registers (G2-item), which snapshot isolation allows.
const char* kWriteSkewEdn = R"([{:process 0 :type :invoke :f :txn :value [[:r :x nil] [:w :y 1]]}
{:process 1 :type :invoke :f :txn :value [[:r :y nil] [:w :x 1]]}
{:process 0 :type :ok :f :txn :value [[:r :x nil] [:w :y 1]]}
{:process 1 :type :ok :f :txn :value [[:r :y nil] [:w :x 1]]}])";

TEST_F(TxnCli, ElleJsonListAppendCycleIsInvalidWithTheCycleExplained) {
  CliRun r = run({"--model", "list-append", file("g1c.json", kG1cJson)});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("g1c.json: invalid (list-append, 2 txns"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":anomaly-types [:G1c]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":not #{:read-committed}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wrote 1 to key \"x\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":steps [{:type :wr"), std::string::npos) << r.out;
  // Read uncommitted allows G1c.
  EXPECT_EQ(run({"--model", "list-append", "--consistency-models", "read-uncommitted", file("g.json", kG1cJson)}).code,
            0);
}

TEST_F(TxnCli, ElleDirGetsOneSvgPerCycleOfAnInvalidHistory) {
  auto g1c = file("g1c.json", kG1cJson);
  auto elle = dir_ / "elle";
  CliRun r = run({"--model", "list-append", "-q", "--elle-dir", elle.string(), g1c});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("g1c.json: anomaly graphs: 1 drawing in " + elle.string() + "/ (index.html)"), std::string::npos)
      << r.out;
  std::ifstream svg(elle / "G1c-0.svg");
  std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("G1c: a dependency cycle through 2 transactions"), std::string::npos) << text;
  EXPECT_NE(text.find("wr &quot;x&quot;=1"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(elle / "index.html"));
  // Valid under read-uncommitted: nothing drawn. Several files: one folder each.
  auto quiet = dir_ / "quiet";
  EXPECT_EQ(run({"--model", "list-append", "-q", "--consistency-models", "read-uncommitted", "--elle-dir",
                 quiet.string(), g1c})
                .code,
            0);
  EXPECT_FALSE(std::filesystem::exists(quiet));
  auto two = dir_ / "two";
  auto ws = file("ws.edn", kWriteSkewEdn);
  CliRun both = run({"--model", "rw-register", "-q", "--elle-dir", two.string(), ws, file("g2.edn", kWriteSkewEdn)});
  EXPECT_EQ(both.code, 1) << both.out << both.err;
  EXPECT_TRUE(std::filesystem::exists(two / "ws.edn" / "G2-item-0.svg")) << both.out;
  EXPECT_TRUE(std::filesystem::exists(two / "g2.edn" / "G2-item-0.svg")) << both.out;
  // Not for the other models.
  EXPECT_EQ(run({"--model", "register", "--elle-dir", two.string(), ws}).code, 254);
}

TEST_F(TxnCli, ConsistencyModelsDecideValidity) {
  auto f = file("ws.edn", kWriteSkewEdn);
  CliRun si = run({"--model", "rw-register", "--consistency-models", "snapshot-isolation", "-q", f});
  EXPECT_EQ(si.code, 0) << si.out << si.err;
  EXPECT_NE(si.out.find("valid (rw-register, 2 txns"), std::string::npos) << si.out;
  EXPECT_NE(si.out.find("G2-item"), std::string::npos) << si.out;
  CliRun ser = run({"--model", "rw-register", "--consistency-models", "snapshot-isolation,serializable", "-q", f});
  EXPECT_EQ(ser.code, 1) << ser.out;
  EXPECT_EQ(run({"--model", "rw-register", "-q", f}).code, 1);  // default strict-serializable
}

TEST_F(TxnCli, BadInputAndUsage) {
  auto f = file("ws2.edn", kWriteSkewEdn);
  CliRun bogus = run({"--model", "rw-register", "--consistency-models", "linearizable", f});
  EXPECT_EQ(bogus.code, 254);
  EXPECT_NE(bogus.err.find("unknown consistency model 'linearizable'"), std::string::npos) << bogus.err;
  EXPECT_EQ(run({"--model", "register", "--consistency-models", "serializable", f}).code, 254);
  // Register writes in a list-append history: the op is named.
  CliRun wrong = run({"--model", "list-append", f});
  EXPECT_EQ(wrong.code, 254);
  EXPECT_NE(wrong.err.find("does not belong to a list-append history"), std::string::npos) << wrong.err;
  // An empty history is an error unless --allow-empty, as for every model.
  auto empty = file("empty.json", "[]");
  EXPECT_EQ(run({"--model", "list-append", empty}).code, 254);
  EXPECT_EQ(run({"--model", "list-append", "--allow-empty", empty}).code, 0);
  CliRun json = run({"--model", "list-append", file("bad.json", "[{\"type\": \"ok\", \"process\": \"x\" ")});
  EXPECT_EQ(json.code, 254);
  EXPECT_NE(json.err.find("bad.json:1: not JSON"), std::string::npos) << json.err;
}

}  // namespace
}  // namespace squall
