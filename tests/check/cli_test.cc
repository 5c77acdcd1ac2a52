// `squall check` end to end, in process: exit codes, summary lines, HTML output, bad usage
// and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "commands.h"

namespace squall {
namespace {

const std::string kCorpus = std::string(SQUALL_SOURCE_DIR) + "/../shared/corpus/porcupine";

struct CliRun {
  int code;
  std::string out, err;
};

CliRun run(std::vector<std::string> args) {
  args.insert(args.begin(), "check");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int code = cli::cmd_check(static_cast<int>(argv.size()), argv.data());
  std::string out = testing::internal::GetCapturedStdout();
  std::string err = testing::internal::GetCapturedStderr();
  return {code, out, err};
}

std::string temp_file(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("squall-check-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

const char* kValid = "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n"
                     "{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 1}\n";
const char* kInvalid = "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n"
                       "{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 2}\n";

TEST(CheckCli, ExitCodesAndSummary) {
  auto good = temp_file("good.edn", kValid);
  auto bad = temp_file("bad.edn", kInvalid);
  CliRun a = run({"--model", "register", good});
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  EXPECT_NE(a.out.find("good.edn: valid (register, 2 ops, 1 key"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("total: 1 file, 2 ops: 1 valid, 0 invalid, 0 unknown, 0 errors"), std::string::npos) << a.out;
  CliRun b = run({"--model", "register", good, bad});
  EXPECT_EQ(b.code, 1);
  EXPECT_NE(b.out.find("bad.edn: invalid"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("cannot linearize: #2 p1 :read nil -> :ok 2"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("total: 2 files, 4 ops: 1 valid, 1 invalid"), std::string::npos) << b.out;
}

TEST(CheckCli, BadUsageAndBadInputGive254) {
  auto good = temp_file("good2.edn", kValid);
  EXPECT_EQ(run({"--model", "nonsense", good}).code, 254);
  EXPECT_EQ(run({"--bogus-flag", good}).code, 254);
  EXPECT_EQ(run({}).code, 254);
  auto broken = temp_file("broken.edn", "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value [1\n");
  CliRun r = run({"--model", "register", broken});
  EXPECT_EQ(r.code, 254);
  EXPECT_NE(r.err.find("broken.edn:3: expected ']' to close the collection opened on line 2"), std::string::npos) << r.err;
  CliRun missing = run({"/nonexistent/x.edn"});
  EXPECT_EQ(missing.code, 254);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
}

TEST(CheckCli, HelpListsOptionsAndModels) {
  CliRun r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* want : {"--model", "--split-by-key", "--timeout", "--memory-limit", "--html", "--linearization", "cas-register",
                           "multi-register", "unordered-queue", "254", "=120", "at most 4096"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want;
}

TEST(CheckCli, HtmlForEtcd000) {
  if (!std::filesystem::exists(kCorpus)) GTEST_SKIP() << "corpus not found at " << kCorpus;
  auto html = temp_file("etcd_000.html", "");
  CliRun r = run({"--model", "cas-register", "--html", html, kCorpus + "/jepsen/etcd_000.log"});
  EXPECT_EQ(r.code, 1);
  std::ifstream in(html);
  std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<title>etcd_000.log</title>"), std::string::npos);
  size_t at = r.out.find("cannot linearize: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string failing = r.out.substr(at + 18, r.out.find('\n', at) - at - 18);
  std::string escaped;
  for (char c : failing) escaped += c == '>' ? std::string("&gt;") : std::string(1, c);
  EXPECT_NE(page.find(escaped), std::string::npos) << failing;
}

TEST(CheckCli, TimeoutAndMemoryBudgetsGiveUnknownNotInvalid) {
  // Many concurrent crashed writes and a contradiction late in the history: a search
  // that cannot finish within 1 MB.
  std::string h;
  for (int p = 0; p < 18; ++p) h += "{:process " + std::to_string(p) + " :type :invoke :f :write :value " + std::to_string(p) + "}\n";
  for (int i = 0; i < 300; ++i) {
    h += "{:process 100 :type :invoke :f :read :value nil}\n{:process 100 :type :ok :f :read :value " + std::to_string(std::min(i, 17)) + "}\n";
  }
  h += "{:process 100 :type :invoke :f :read :value nil}\n{:process 100 :type :ok :f :read :value 99}\n";
  auto path = temp_file("hard.edn", h);
  CliRun r = run({"--model", "register", "--memory-limit", "1", path});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("hard.edn: unknown"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory budget of 1 MB exceeded"), std::string::npos) << r.out;
  CliRun t = run({"--model", "register", "--timeout", "0.001", path});
  EXPECT_EQ(t.code, 2) << t.out;
  EXPECT_NE(t.out.find("time budget of 1 ms exceeded"), std::string::npos) << t.out;

}

}  // namespace
}  // namespace squall
