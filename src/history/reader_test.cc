#include "history/reader.h"

#include <gtest/gtest.h>

#include "history/writer.h"

namespace squall::history {
namespace {

History parse_ok(std::string_view text, Format f = Format::kAuto) {
  auto h = parse_history(text, ReadOptions{f});
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  return h.ok() ? std::move(h).value() : History();
}

TEST(Reader, JepsenLogTabsAndSpacesNemesisSkipped) {
  History h = parse_ok(
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[3 0]\n"
      "INFO  jepsen.core - something else\n"
      "INFO  jepsen.util - :nemesis :info :start nil\n"
      "INFO  jepsen.util - 0   :ok     :cas    [3 0]\n"
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].f, "cas");
  EXPECT_EQ(h[0].value, Value::vector({Value::integer(3), Value::integer(0)}));
  EXPECT_EQ(h[1].type, OpType::kOk);
  EXPECT_EQ(h[1].line, 4);
  EXPECT_EQ(h.match(0), 1);
  EXPECT_EQ(h.match(2), kNoOp);
  auto calls = h.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].outcome, OpType::kInfo);
}

TEST(Reader, EdnVectorAndLines) {
  History a = parse_ok("[{:type :invoke, :f :write, :value 1, :process 0, :time 5}\n {:type :ok, :f :write, :value 1, :process 0}\n"
                       " {:type :info, :f :start, :process :nemesis}]");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].time_ns, 5);
  History b = parse_ok("{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
                       "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n");
  ASSERT_EQ(b.size(), 2u);
  ASSERT_TRUE(b[0].key.has_value());
  EXPECT_EQ(*b[0].key, Value::string("0"));
}

TEST(Reader, JsonLinesRoundTrip) {
  History a = parse_ok("{:process 0, :type :invoke, :f :cas, :key 3, :value [1 2], :time 10}\n"
                       "{:process 1, :type :invoke, :f :read, :value nil}\n"
                       "{:process 0, :type :fail, :f :cas, :key 3, :value [1 2]}\n");
  std::string json = history_to_jsonl(a);
  History b = parse_ok(json);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].f, a[i].f);
    EXPECT_EQ(b[i].type, a[i].type);
    EXPECT_EQ(b[i].value, a[i].value);
    EXPECT_EQ(b[i].process, a[i].process);
    EXPECT_EQ(b[i].time_ns, a[i].time_ns);
  }
  History c = parse_ok(history_to_edn(a, true));
  ASSERT_EQ(c.size(), a.size());
  EXPECT_EQ(*c[0].key, Value::integer(3));
}

TEST(Reader, MalformedInputSaysFileLineAndWhat) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"{:process 0, :type :invoke, :f :read}\n{:process 0, :type :bogus, :f :read}\n",
       "<string>:2: expected :type to be :invoke, :ok, :fail or :info, found :bogus"},
      {"{:process 0, :type :ok, :f :read}\n", "<string>:1: completion :ok by process 0 has no open invocation"},
      {"{:process 0, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :read}\n",
       "<string>:2: process 0 invokes again while its op #0 has not completed"},
      {"INFO  jepsen.util - 0\t:invoke\t:read\t[1 2\n", "<string>:1: bad value: expected ']' to close the collection opened on line 1, found end of input"},
      {"INFO  jepsen.util - 0\t:done\t:read\tnil\n", "<string>:1: expected :invoke, :ok, :fail or :info, found ':done'"},
      {"{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{\"type\":\"ok\",\n", "<string>:2: expected a JSON object: Missing a name for object member. at column 14"},
      {"[{:process 0, :type :invoke, :f :read}\n", "<string>:2: expected ']' to close the history vector, found end of input"},
      {"{:process 0, :f :read}", "<string>:1: expected a :type in the op map"},
  };
  for (const auto& c : cases) {
    auto h = parse_history(c.text);
    ASSERT_FALSE(h.ok()) << c.text;
    EXPECT_EQ(h.error(), c.expected);
  }
}

TEST(Reader, MissingFileIsAnError) {
  auto h = read_history_file("/nonexistent/history.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().find("/nonexistent/history.edn: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace squall::history
