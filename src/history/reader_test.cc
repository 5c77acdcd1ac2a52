#include "history/reader.h"

#include <gtest/gtest.h>

#include "history/value_json.h"
#include "history/writer.h"

namespace squall::history {
namespace {

History read_ok(std::string_view text, const ReadOptions& options) {
  auto h = parse_history(text, options);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
  return h.ok() ? std::move(h).value() : History();
}

History read_ok(std::string_view text, Format f = Format::kAuto) { return read_ok(text, ReadOptions{f}); }

TEST(Reader, JepsenLogTabsAndSpacesNemesisSkipped) {
  History h = read_ok(
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
  History a = read_ok(
      "[{:type :invoke, :f :write, :value 1, :process 0, :time 5}\n {:type :ok, :f :write, :value 1, :process 0}\n"
      " {:type :info, :f :start, :process :nemesis}]");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].time_ns, 5);
  History b = read_ok(
      "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
      "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n");
  ASSERT_EQ(b.size(), 2u);
  ASSERT_TRUE(b[0].key.has_value());
  EXPECT_EQ(*b[0].key, Value::string("0"));
}

TEST(Reader, JsonLinesRoundTrip) {
  History a = read_ok(
      "{:process 0, :type :invoke, :f :cas, :key 3, :value [1 2], :time 10}\n"
      "{:process 1, :type :invoke, :f :read, :value nil}\n"
      "{:process 0, :type :fail, :f :cas, :key 3, :value [1 2]}\n");
  std::string json = history_to_jsonl(a);
  History b = read_ok(json);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].f, a[i].f);
    EXPECT_EQ(b[i].type, a[i].type);
    EXPECT_EQ(b[i].value, a[i].value);
    EXPECT_EQ(b[i].process, a[i].process);
    EXPECT_EQ(b[i].time_ns, a[i].time_ns);
  }
  History c = read_ok(history_to_edn(a, true));
  ASSERT_EQ(c.size(), a.size());
  EXPECT_EQ(*c[0].key, Value::integer(3));
}

// Found by fuzzing: strings were read up to their first "\u0000", so a history written
// as JSON lines did not read back the same.
TEST(Reader, JsonStringsKeepTheirNulBytes) {
  History a =
      read_ok(std::string("{\"process\": 0, \"type\": \"invoke\", \"f\": \"\\u0000\\u0004ite\", \"value\": 3}\n"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].f, std::string("\0\x04ite", 5));
  History b = read_ok(history_to_jsonl(a));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].f, a[0].f);
  EXPECT_FALSE(
      parse_history("{\"process\": 0, \"type\": \"invoke\", \"f\": \":\"}\n", ReadOptions{Format::kJsonLines}).ok());
  EXPECT_FALSE(parse_history(std::string("{\"process\": 0, \"type\": \"invoke\\u0000x\", \"f\": \"r\"}\n"),
                             ReadOptions{Format::kJsonLines})
                   .ok());
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
      {"INFO  jepsen.util - 0\t:invoke\t:read\t[1 2\n",
       "<string>:1: bad value: expected ']' to close the collection opened on line 1, found end of input"},
      // A value's error is placed on the log's own line, not on line 1 of the value.
      {"INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t1\n"
       "INFO  jepsen.util - 0\t:invoke\t:write\t{:a\n",
       "<string>:3: bad value: expected '}' to close the collection opened on line 3, found end of input"},
      {"INFO  jepsen.util - 0\t:done\t:read\tnil\n",
       "<string>:1: expected :invoke, :ok, :fail or :info, found ':done'"},
      {"{\"type\":\"invoke\",\"process\":0,\"f\":\"read\"}\n{\"type\":\"ok\",\n",
       "<string>:2: expected a JSON object: Missing a name for object member. at column 14"},
      {"[{:process 0, :type :invoke, :f :read}\n",
       "<string>:2: expected ']' to close the history vector, found end of input"},
      {"{:process 0, :f :read}", "<string>:1: expected a :type in the op map"},
  };
  for (const auto& c : cases) {
    auto h = parse_history(c.text);
    ASSERT_FALSE(h.ok()) << c.text;
    EXPECT_EQ(h.error(), c.expected);
  }
}

// The store's history.edn and `squall check`'s EDN come from one writer; the store's
// form (Jepsen's field order, :nemesis, :error, :final?) reads back as the same op.
TEST(Writer, RecordedOpEdnReadsBack) {
  Op op;
  op.index = 7;
  op.type = OpType::kInfo;
  op.process = 3;
  op.f = "read";
  op.value = parse_json_value("[1,2]");
  op.time_ns = 42;
  EXPECT_EQ(op_to_edn(op, {false, "[:timeout]", true}),
            "{:type :info, :f :read, :value [1 2], :process 3, :time 42, :index 7, :error [:timeout], :final? true}");
  EXPECT_EQ(op_to_edn(op, {true, "", false}),
            "{:type :info, :f :read, :value [1 2], :process :nemesis, :time 42, :index 7}");
  op.type = OpType::kInvoke;  // a history must open with an invocation
  auto h = parse_history(op_to_edn(op, {false, "[:timeout]", true}) + "\n");
  ASSERT_TRUE(h.ok()) << h.error();
  ASSERT_EQ(h->size(), 1u);
  EXPECT_EQ(op_to_edn((*h)[0]), "{:index 0, :type :invoke, :process 3, :f :read, :value [1 2], :time 42}");
}

TEST(Reader, MissingFileIsAnError) {
  auto h = read_history_file("/nonexistent/history.edn");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().find("/nonexistent/history.edn: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace squall::history

namespace squall::history {
namespace {

// Issue 11 item 8: no op disappears in silence. Named processes (keywords, or strings
// naming one in JSON) are non-clients and counted; every other process is an error.
TEST(Reader, NonClientProcessesAreCountedOthersRefused) {
  History a = read_ok(
      "{:process :nemesis, :type :info, :f :start, :value nil}\n"
      "{:process 0, :type :invoke, :f :read, :value nil}\n"
      "{:process 0, :type :ok, :f :read, :value 1}\n");
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.ignored_ops(), 1u);
  History b = read_ok(
      "{\"type\":\"info\",\"process\":\"nemesis\",\"f\":\"kill\"}\n{\"type\":\"invoke\",\"process\":3,\"f\":\"read\"}"
      "\n");
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.ignored_ops(), 1u);
  for (const char* process : {"nil", "1.5", "\"1\"", "[0]", "{}", "true"}) {
    std::string text =
        "{:process 0, :type :invoke, :f :read}\n{:process " + std::string(process) + ", :type :invoke, :f :read}\n";
    auto h = parse_history(text);
    ASSERT_FALSE(h.ok()) << process;
    EXPECT_NE(h.error().find(
                  "<string>:2: expected :process to be an integer (a client) or a keyword such as :nemesis, found"),
              std::string::npos)
        << h.error();
  }
  for (const char* process : {"null", "1.5", "\"1\"", "[0]"}) {
    std::string text = "{\"type\":\"invoke\",\"process\":" + std::string(process) + ",\"f\":\"read\"}\n";
    auto h = parse_history(text);
    ASSERT_FALSE(h.ok()) << process;
    EXPECT_NE(h.error().find("<string>:1: expected :process to be an integer"), std::string::npos) << h.error();
  }
}

TEST(Reader, JepsenLogOpShapedLinesNeverSkipped) {
  // A mistyped logger name and a non-numeric process used to be skipped as noise.
  auto typo = parse_history("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.utl - 0\t:ok\t:read\t3\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().find("<string>:2: expected an op line 'INFO jepsen.util - "), std::string::npos)
      << typo.error();
  auto process = parse_history("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - x1\t:ok\t:read\t3\n");
  ASSERT_FALSE(process.ok());
  EXPECT_NE(process.error().find("<string>:2: expected :process to be an integer"), std::string::npos)
      << process.error();
  // Ordinary log noise, and an op map printed by a checker, are still not ops.
  History h = read_ok(
      "INFO  jepsen.core - Running test\n"
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      " :last-op {:process 0, :type :ok, :f :read, :value 3},\n");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.ignored_ops(), 1u);
}

// Issue 11 item 7: input that holds no history is an error naming the file and what was
// expected; an empty input is a history of zero ops (the caller decides what that means).
TEST(Reader, TextWithoutOpsOrBinaryIsNotAHistory) {
  auto passwd =
      parse_history("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", {}, "passwd");
  ASSERT_FALSE(passwd.ok());
  EXPECT_NE(passwd.error().find("passwd: not a history: expected EDN op maps"), std::string::npos) << passwd.error();
  EXPECT_NE(passwd.error().find("found 2 lines of text without one op line"), std::string::npos) << passwd.error();
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  auto image = parse_history(png, {}, "x.png");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.error().find("x.png: not a history: binary data (a NUL byte at offset 8)"), std::string::npos)
      << image.error();
  // Chosen explicitly, a log without op lines is an empty history.
  EXPECT_EQ(read_ok("root:x:0:0:root:/root:/bin/bash\n", Format::kJepsenLog).size(), 0u);
  EXPECT_EQ(read_ok("").size(), 0u);
  EXPECT_EQ(read_ok("[]").size(), 0u);
}

// Issue 11 item 9: depth is bounded before any recursion.
TEST(Reader, DeepJsonLineIsAnErrorNotACrash) {
  std::string deep = "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":" + std::string(100000, '[') +
                     std::string(100000, ']') + "}\n";
  auto h = parse_history(deep);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error(), "<string>:1: expected a JSON object nesting at most 128 levels");
  auto bare = parse_history(std::string(100000, '[') + "\n", ReadOptions{Format::kJsonLines});
  ASSERT_FALSE(bare.ok());
  // Node output too: too deep to convert is kept as its text.
  EXPECT_TRUE(parse_json_value(std::string(100000, '[')).is_string());
}

TEST(Reader, LongRunsOfDiscardsAndMetadataAreNotRecursion) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "#_1 ^:m ";
  text += "{:process 0, :type :invoke, :f :read}\n";
  History h = read_ok(text, Format::kEdn);
  EXPECT_EQ(h.size(), 1u);
}

// Issue 11 item 11: an endless line stops at the line limit; budgets cover reading.
TEST(Reader, EndlessInputStopsAtTheLineLimit) {
  ReadOptions o{Format::kJsonLines};
  o.line_bytes_max = 1 << 20;
  auto zero = read_history_file("/dev/zero", o);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error(), "/dev/zero:1: line longer than the limit of 1048576 bytes");
  auto detected = read_history_file("/dev/zero");
  ASSERT_FALSE(detected.ok());
  EXPECT_NE(detected.error().find("/dev/zero: not a history: binary data (a NUL byte at offset 0)"), std::string::npos);
}

class TickingClock final : public Clock {
 public:
  explicit TickingClock(int64_t tick_ns) : tick_(tick_ns) {}
  int64_t now_ns() const override { return (now_ += tick_) - tick_; }

 private:
  int64_t tick_;
  mutable int64_t now_ = 0;
};

std::string many_ops(int n) {
  std::string text;
  for (int i = 0; i < n; ++i)
    text += "{:process 0, :type :invoke, :f :write, :value " + std::to_string(i) +
            "}\n{:process 0, :type :ok, :f :write, :value " + std::to_string(i) + "}\n";
  return text;
}

TEST(Reader, BudgetsStopReadingWithTheReason) {
  ReadOptions mem;
  mem.memory_limit_bytes = 4096;
  History a = read_ok(many_ops(1000), mem);
  EXPECT_LT(a.size(), 2000u);
  EXPECT_NE(a.incomplete().find("memory budget of 4096 bytes exceeded while reading, at line 256 (255 ops read)"),
            std::string::npos)
      << a.incomplete();
  // Time on a clock that moves 1 ms per reading: reading starts at 0, the k-th poll (every
  // 256 forms) reads k ms, so a 1 ms budget runs out at the second poll.
  TickingClock clock(1'000'000);
  ReadOptions time;
  time.clock = &clock;
  time.timeout_ms = 1;
  History b = read_ok(many_ops(1000), time);
  EXPECT_EQ(b.size(), 511u);
  EXPECT_EQ(b.incomplete(), "time budget of 1 ms exceeded while reading, at line 512 (511 ops read)");
  // Frozen time never runs out.
  ManualClock frozen;
  time.clock = &frozen;
  History c = read_ok(many_ops(1000), time);
  EXPECT_EQ(c.size(), 2000u);
  EXPECT_EQ(c.incomplete(), "");
}

}  // namespace
}  // namespace squall::history
