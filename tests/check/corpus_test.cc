// The Porcupine corpus (../shared/corpus/porcupine), read in place: every history must get
// the verdict EXPECTED.tsv gives. Skips with a message when the corpus is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "history/reader.h"

namespace squall {
namespace {

// SQUALL_CORPUS overrides the location (a worktree is not always next to ../shared).
const std::string kCorpus = std::getenv("SQUALL_CORPUS") != nullptr
                                ? std::getenv("SQUALL_CORPUS")
                                : std::string(SQUALL_SOURCE_DIR) + "/../shared/corpus/porcupine";

struct Expected {
  std::string path, expected;
};

std::vector<Expected> load_expected() {
  std::vector<Expected> out;
  std::ifstream in(kCorpus + "/EXPECTED.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string x;
    while (std::getline(fields, x, '\t')) f.push_back(x);
    if (f.size() >= 5) out.push_back({f[0], f[4]});
  }
  return out;
}

#define SKIP_WITHOUT_CORPUS()                              \
  if (!std::filesystem::exists(kCorpus + "/EXPECTED.tsv")) \
  GTEST_SKIP() << "corpus not found at " << kCorpus << " (needs ../shared next to the source tree)"

Verdict check_file(const std::string& rel, bool split, size_t* ops = nullptr,
                   model::NilRead nil_read = model::NilRead::kUnknown) {
  auto h = history::read_history_file(kCorpus + "/" + rel);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  if (!h.ok()) return Verdict::kUnknown;
  if (ops) *ops = h->counts().invocations;
  bool kv = rel.rfind("kv/", 0) == 0;
  model::ModelOptions mo;
  mo.nil_read = nil_read;
  auto m = model::make_model(kv ? "kv" : "cas-register", mo).value();
  checker::CheckOptions opt;
  opt.split_by_key = split;
  auto v = checker::check_linearizable(*h, *m, opt);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error());
  return v.ok() ? v->verdict : Verdict::kUnknown;
}

TEST(Corpus, AllHistoriesMatchExpected) {
  SKIP_WITHOUT_CORPUS();
  auto expected = load_expected();
  ASSERT_EQ(expected.size(), 109u);
  size_t checked = 0, skipped = 0;
  for (const auto& e : expected) {
    if (e.expected.rfind("SKIP", 0) == 0) {
      // An empty history (the run never started) is trivially valid and has no ops.
      size_t ops = 1;
      EXPECT_EQ(check_file(e.path, true, &ops), Verdict::kValid) << e.path;
      EXPECT_EQ(ops, 0u) << e.path;
      ++skipped;
      continue;
    }
    auto want = e.expected == "true" ? Verdict::kValid : Verdict::kInvalid;
    EXPECT_EQ(check_file(e.path, true), want) << e.path;
    ++checked;
  }
  EXPECT_EQ(checked, 108u);
  EXPECT_EQ(skipped, 1u);
}

// The etcd logs hold 200 completed reads of nil; they get the same verdicts whether nil
// means "value unknown" (Knossos, the default, checked above) or "the register held nil".
TEST(Corpus, EtcdVerdictsDoNotDependOnNilReadMeaning) {
  SKIP_WITHOUT_CORPUS();
  size_t checked = 0;
  for (const auto& e : load_expected()) {
    if (e.expected.rfind("SKIP", 0) == 0 || e.path.rfind("jepsen/", 0) != 0) continue;
    auto want = e.expected == "true" ? Verdict::kValid : Verdict::kInvalid;
    EXPECT_EQ(check_file(e.path, true, nullptr, model::NilRead::kStrict), want) << e.path;
    ++checked;
  }
  EXPECT_EQ(checked, 102u);
}

TEST(Corpus, KvUnsplitAgreesForSmallFiles) {
  SKIP_WITHOUT_CORPUS();
  EXPECT_EQ(check_file("kv/c01-ok.txt", false), Verdict::kValid);
  EXPECT_EQ(check_file("kv/c01-bad.txt", false), Verdict::kInvalid);
  EXPECT_EQ(check_file("kv/c10-ok.txt", false), Verdict::kValid);
  EXPECT_EQ(check_file("kv/c10-bad.txt", false), Verdict::kInvalid);
}

TEST(Corpus, CountsMatchExpectedTsv) {
  SKIP_WITHOUT_CORPUS();
  std::ifstream in(kCorpus + "/EXPECTED.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string x;
    while (std::getline(fields, x, '\t')) f.push_back(x);
    ASSERT_GE(f.size(), 8u);
    auto h = history::read_history_file(kCorpus + "/" + f[0]);
    ASSERT_TRUE(h.ok()) << h.error();
    auto c = h->counts();
    EXPECT_EQ(c.invocations, std::stoul(f[5])) << f[0];
    EXPECT_EQ(c.info, std::stoul(f[6])) << f[0];
    EXPECT_EQ(c.fail, std::stoul(f[7])) << f[0];
  }
}

TEST(Corpus, HtmlExplanationOfEtcd000NamesFailingOp) {
  SKIP_WITHOUT_CORPUS();
  auto h = history::read_history_file(kCorpus + "/jepsen/etcd_000.log");
  ASSERT_TRUE(h.ok());
  auto v = checker::check_linearizable(*h, *model::make_model("cas-register").value());
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->verdict, Verdict::kInvalid);
  ASSERT_TRUE(v->keys[0].explanation.has_value());
  size_t failing = v->keys[0].explanation->failing_op;
  std::string html = checker::explain_html(*h, *v, "etcd_000.log");
  std::string name = checker::describe_call(*h, failing);
  std::string escaped;
  for (char c : name) escaped += c == '>' ? std::string("&gt;") : std::string(1, c);
  EXPECT_NE(html.find("Cannot be linearized: <b>" + escaped + "</b>"), std::string::npos) << name;
  EXPECT_NE(html.find("class=\"op failing\""), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace squall
