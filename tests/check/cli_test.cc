// `squall check` end to end, in process: exit codes, summary lines, HTML output, bad usage
// and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli_run.h"

namespace squall {
namespace {

// SQUALL_CORPUS overrides the location (a worktree is not always next to ../shared).
const std::string kCorpus = std::getenv("SQUALL_CORPUS") != nullptr
                                ? std::getenv("SQUALL_CORPUS")
                                : std::string(SQUALL_SOURCE_DIR) + "/../shared/corpus/porcupine";

using check_cli_test::CliRun;
using check_cli_test::run;

std::filesystem::path temp_dir() {
  return std::filesystem::temp_directory_path() / ("squall-check-cli-" + std::to_string(::getpid()));
}

// The test process's files go when it exits, whatever the tests did.
struct TempDirRemover {
  ~TempDirRemover() {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir(), ec);
  }
} temp_dir_remover;

std::string temp_file(const std::string& name, const std::string& text) {
  auto dir = temp_dir();
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

const char* kValid =
    "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n"
    "{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 1}\n";
const char* kInvalid =
    "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n"
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
  auto broken = temp_file("broken.edn",
                          "{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value [1\n");
  CliRun r = run({"--model", "register", broken});
  EXPECT_EQ(r.code, 254);
  EXPECT_NE(r.err.find("broken.edn:3: expected ']' to close the collection opened on line 2"), std::string::npos)
      << r.err;
  CliRun missing = run({"/nonexistent/x.edn"});
  EXPECT_EQ(missing.code, 254);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
}

TEST(CheckCli, HelpListsOptionsAndModels) {
  CliRun r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* want : {"--model", "--split-by-key", "--timeout", "--memory-limit", "--html", "--linearization",
                           "cas-register", "multi-register", "unordered-queue", "254", "=120", "at most 4096"})
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
  for (int p = 0; p < 18; ++p)
    h += "{:process " + std::to_string(p) + " :type :invoke :f :write :value " + std::to_string(p) + "}\n";
  for (int i = 0; i < 300; ++i) {
    h += "{:process 100 :type :invoke :f :read :value nil}\n{:process 100 :type :ok :f :read :value " +
         std::to_string(std::min(i, 17)) + "}\n";
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

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool has_control_bytes(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
  return text.find("\xc2\x9b") != std::string::npos;
}

// Issue 11 item 5: Knossos's meaning of a nil read by default; --nil-read strict keeps
// the reading of nil as a value.
TEST(CheckCli, NilReadIsUnknownByDefaultStrictOnRequest) {
  auto path = temp_file("nil-reads.edn",
                        "{:process 0 :type :invoke :f :write :value 0}\n{:process 0 :type :ok :f :write :value 0}\n"
                        "{:process 1 :type :invoke :f :cas :value [0 3]}\n{:process 1 :type :ok :f :cas :value [0 3]}\n"
                        "{:process 2 :type :invoke :f :read :value nil}\n{:process 2 :type :ok :f :read :value nil}\n");
  CliRun knossos = run({path});
  EXPECT_EQ(knossos.code, 0) << knossos.out << knossos.err;
  CliRun strict = run({"--nil-read", "strict", path});
  EXPECT_EQ(strict.code, 1) << strict.out << strict.err;
  EXPECT_EQ(run({"--nil-read", "maybe", path}).code, 254);
  EXPECT_NE(run({"--help"}).out.find("--nil-read"), std::string::npos);
}

// Issue 11 item 6: kv histories are split by key without asking; --no-split forces one search.
TEST(CheckCli, KvSplitsByKeyUnlessNoSplit) {
  auto path = temp_file("kv.edn",
                        "{:process 0 :type :invoke :f :put :key \"a\" :value \"x\"}\n{:process 0 :type :ok :f :put "
                        ":key \"a\" :value \"x\"}\n"
                        "{:process 1 :type :invoke :f :get :key \"b\" :value nil}\n{:process 1 :type :ok :f :get :key "
                        "\"b\" :value \"\"}\n");
  CliRun split = run({"--model", "kv", path});
  EXPECT_EQ(split.code, 0) << split.out << split.err;
  EXPECT_NE(split.out.find("valid (kv, 2 ops, 2 keys"), std::string::npos) << split.out;
  CliRun whole = run({"--model", "kv", "--no-split", path});
  EXPECT_EQ(whole.code, 0);
  EXPECT_NE(whole.out.find("valid (kv, 2 ops, 1 key,"), std::string::npos) << whole.out;
}

// Issue 11 item 7: a file that holds no history is an error naming it; an empty history
// is not a pass unless --allow-empty.
TEST(CheckCli, NonHistoriesAreErrorsAndEmptyIsNotAPass) {
  std::string random;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 8192; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    random.push_back(static_cast<char>(x));
  }
  const std::string inputs[] = {
      temp_file("random.bin", random),
      temp_file("passwd",
                "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
      temp_file("image.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20)),
      "/proc/self/exe",  // an ELF binary
  };
  for (const auto& path : inputs) {
    CliRun r = run({path});
    EXPECT_EQ(r.code, 254) << path << "\n" << r.out;
    EXPECT_NE(r.err.find(path + ": not a history"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("expected EDN op maps"), std::string::npos) << r.err;
  }
  auto empty = temp_file("empty.edn", "");
  CliRun e = run({empty});
  EXPECT_EQ(e.code, 254) << e.out;
  EXPECT_NE(e.out.find("empty.edn: error (empty: no client ops; --allow-empty counts it as valid)"), std::string::npos)
      << e.out;
  CliRun allowed = run({"--allow-empty", empty});
  EXPECT_EQ(allowed.code, 0) << allowed.out;
  EXPECT_NE(allowed.out.find("empty.edn: valid"), std::string::npos) << allowed.out;
}

// Issue 11 item 8: nemesis ops are counted, not dropped in silence; bad processes refused.
TEST(CheckCli, NonClientOpsAreCountedBadProcessesRefused) {
  auto path = temp_file("nemesis.edn", "{:process :nemesis :type :info :f :start :value nil}\n" + std::string(kValid));
  CliRun r = run({"--model", "register", path});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 non-client ops ignored"), std::string::npos) << r.out;
  auto bad = temp_file(
      "process.jsonl",
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{\"type\":\"invoke\",\"process\":\"1\",\"f\":\"read\"}\n");
  CliRun b = run({bad});
  EXPECT_EQ(b.code, 254);
  EXPECT_NE(b.err.find("process.jsonl:2: expected :process to be an integer"), std::string::npos) << b.err;
}

// Issue 11 items 9 and 11: deep nesting and endless input end in errors, not crashes or hangs.
TEST(CheckCli, DeepAndEndlessInputEndInErrors) {
  auto deep = temp_file("deep.jsonl", "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":" +
                                          std::string(100000, '[') + std::string(100000, ']') + "}\n");
  CliRun d = run({deep});
  EXPECT_EQ(d.code, 254);
  EXPECT_NE(d.err.find("deep.jsonl:1: expected a JSON object nesting at most 128 levels"), std::string::npos) << d.err;
  CliRun z = run({"/dev/zero"});
  EXPECT_EQ(z.code, 254);
  EXPECT_NE(z.err.find("/dev/zero: not a history: binary data"), std::string::npos) << z.err;
  CliRun zl = run({"--format", "jsonl", "/dev/zero"});
  EXPECT_EQ(zl.code, 254);
  EXPECT_NE(zl.err.find("/dev/zero:1: line longer than the limit"), std::string::npos) << zl.err;
}

// Issue 11 item 11: --memory-limit covers reading.
TEST(CheckCli, MemoryBudgetCoversReading) {
  std::string h;
  for (int i = 0; i < 6000; ++i)
    h += "{:process 0 :type :invoke :f :write :value " + std::to_string(i) +
         "}\n{:process 0 :type :ok :f :write :value " + std::to_string(i) + "}\n";
  auto path = temp_file("big.edn", h);
  CliRun r = run({"--model", "register", "--memory-limit", "1", path});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("big.edn: unknown: memory budget of 1 MB exceeded while reading, at line "), std::string::npos)
      << r.out;
}

// Issue 11 item 14: nonsense budgets and paths are refused, not taken at face value.
TEST(CheckCli, NonsenseOptionValuesAreRefused) {
  auto good = temp_file("good3.edn", kValid);
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{{"--timeout", "nan"},
                                                                             {"--timeout", "inf"},
                                                                             {"--timeout", "-1"},
                                                                             {"--timeout", "1e300"},
                                                                             {"--memory-limit", "-1"},
                                                                             {"--memory-limit", "1.5"},
                                                                             {"--memory-limit", "99999999999999999999"},
                                                                             {"--html", ""},
                                                                             {"--threads", "-2"}}) {
    std::string shown = args[0] + " '" + args[1] + "'";
    args.push_back(good);
    CliRun r = run(args);
    EXPECT_EQ(r.code, 254) << shown << "\n" << r.out;
    EXPECT_NE(r.err.find(args[0]), std::string::npos) << shown << ": " << r.err;
  }
  EXPECT_EQ(run({"--timeout", "0.5", "--memory-limit", "0", good}).code, 0);
}

// Issue 11 item 13: terminal escapes and invalid UTF-8 in a history never reach the
// console raw, and the HTML page is valid UTF-8 without control characters.
TEST(CheckCli, HostileBytesAreEscapedOnConsoleAndInHtml) {
  // An invalid history whose values hold ESC, the C1 CSI and a byte that is not UTF-8.
  auto path = temp_file(
      "hostile.edn",
      "{:process 0 :type :invoke :f :write :value \"\x1b[2J\"}\n{:process 0 :type :ok :f :write :value \"\x1b[2J\"}\n"
      "{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value \"x\xc2\x9b"
      "31m\xff\"}\n");
  auto html = temp_file("hostile.html", "");
  CliRun r = run({"--model", "register", "--html", html, path});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_FALSE(has_control_bytes(r.out)) << r.out;
  EXPECT_NE(r.out.find("\"x\\u009b31m\\xff\""), std::string::npos) << r.out;
  std::string page = slurp(html);
  EXPECT_FALSE(has_control_bytes(page));
  EXPECT_EQ(page.find('\xff'), std::string::npos);
  EXPECT_NE(page.find("x\\u009b31m\\xff"), std::string::npos);
  // Error messages quote the input too.
  auto bad = temp_file("hostile.jsonl", "{\"type\":\"invoke\",\"process\":0,\"f\":\"\\u001b[31mread\"}\n");
  CliRun e = run({"--model", "register", bad});
  EXPECT_EQ(e.code, 254);
  EXPECT_FALSE(has_control_bytes(e.err)) << e.err;
  EXPECT_NE(e.err.find("\\u001b[31mread"), std::string::npos) << e.err;
}

}  // namespace
}  // namespace squall
