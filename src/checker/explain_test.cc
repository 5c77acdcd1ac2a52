#include "checker/explain.h"

#include <gtest/gtest.h>

#include "history/reader.h"

namespace squall::checker {
namespace {

const char* kBad = R"([{:process 0 :type :invoke :f :write :value 1}
{:process 0 :type :ok :f :write :value 1}
{:process 1 :type :invoke :f :write :value 2}
{:process 1 :type :ok :f :write :value 2}
{:process 0 :type :invoke :f :read :value nil}
{:process 0 :type :ok :f :read :value 1}])";

TEST(Explain, NamesFailingOpPrefixAndStates) {
  auto h = history::parse_history(kBad);
  ASSERT_TRUE(h.ok());
  auto v = check_linearizable(*h, *model::make_model("register").value());
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->verdict, Verdict::kInvalid);
  const auto& e = *v->keys[0].explanation;
  EXPECT_EQ(e.failing_op, 4u);
  EXPECT_EQ(e.prefix, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(e.states, (std::vector<std::string>{"2"}));
  std::string text = explain_text(*h, *v);
  EXPECT_NE(text.find("cannot linearize: #4 p0 :read nil -> :ok 1 (line 5-6)"), std::string::npos) << text;
  EXPECT_NE(text.find("longest linearizable prefix: 2 ops"), std::string::npos) << text;
  std::string html = explain_html(*h, *v, "bad.edn");
  EXPECT_NE(html.find("<title>bad.edn</title>"), std::string::npos);
  EXPECT_NE(html.find("class=\"op failing\""), std::string::npos);
  EXPECT_NE(html.find("#4 p0 :read nil -&gt; :ok 1"), std::string::npos);
  EXPECT_EQ(html, explain_html(*h, *v, "bad.edn"));  // deterministic
}

TEST(Explain, ValidLinearizationListed) {
  auto h = history::parse_history(
      R"([{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}])");
  CheckOptions opt;
  opt.want_linearization = true;
  auto v = check_linearizable(*h, *model::make_model("register").value(), opt);
  ASSERT_TRUE(v.ok());
  EXPECT_NE(explain_text(*h, *v).find("1. #0 p0 :write 1 -> :ok"), std::string::npos) << explain_text(*h, *v);
}

}  // namespace
}  // namespace squall::checker
