#include "harness/config.h"

#include <gtest/gtest.h>

namespace squall::harness {
namespace {

TEST(Config, Concurrency) {
  EXPECT_EQ(parse_concurrency("10", 5).value(), 10);
  EXPECT_EQ(parse_concurrency("2n", 5).value(), 10);
  EXPECT_FALSE(parse_concurrency("n", 5).ok());
  EXPECT_FALSE(parse_concurrency("0", 5).ok());
  EXPECT_FALSE(parse_concurrency("3x", 5).ok());
  EXPECT_FALSE(parse_concurrency("99999999", 5).ok());
}

TEST(Config, Availability) {
  EXPECT_EQ(parse_availability("total").value(), 1.0);
  EXPECT_EQ(parse_availability("0.5").value(), 0.5);
  EXPECT_FALSE(parse_availability("1.5").ok());
  EXPECT_FALSE(parse_availability("most").ok());
}

TEST(Config, ValidateNamesTheProblem) {
  TestConfig c;
  auto s = validate(&c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("--bin"), std::string::npos);
  c.bin = "/bin/true";
  c.nemesis = {"clock"};
  s = validate(&c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("unknown nemesis 'clock'"), std::string::npos);
  // Issue 16: kill, pause and one-way partitions are nemeses of squall test now.
  c.nemesis = {"partition", "one-way", "kill", "pause"};
  EXPECT_TRUE(validate(&c).ok());
  c.nemesis = {"partition"};
  c.topology = "star";
  EXPECT_FALSE(validate(&c).ok());
  c.topology = "tree3";
  c.concurrency_spec = "2n";
  ASSERT_TRUE(validate(&c).ok());
  EXPECT_EQ(c.concurrency, 10);
  EXPECT_EQ(split_list("partition,,kill"), (std::vector<std::string>{"partition", "kill"}));
}

TEST(Config, DefaultsWorkTogetherForEveryWorkload) {
  // `squall test --bin X` with nothing else: lin-kv (the default workload) needs a
  // multiple of 2n clients, so its default concurrency is 2n.
  for (const auto& name : workload::workload_names()) {
    TestConfig c;
    c.workload = name;
    c.bin = "/bin/true";
    auto w = workload::make_workload(name);
    ASSERT_TRUE(w.ok()) << name;
    apply_workload_defaults(&c, **w);
    ASSERT_TRUE(validate(&c).ok()) << name;
    EXPECT_TRUE((*w)->validate(c.node_count, c.concurrency).ok()) << name << " with concurrency " << c.concurrency;
  }
  TestConfig c;
  c.bin = "/bin/true";
  auto lin = workload::make_workload("lin-kv");
  apply_workload_defaults(&c, **lin);
  ASSERT_TRUE(validate(&c).ok());
  EXPECT_EQ(c.concurrency_spec, "2n");
  EXPECT_EQ(c.concurrency, 10);
  // An explicit --concurrency stays the user's.
  TestConfig given;
  given.bin = "/bin/true";
  given.concurrency_spec = "20";
  apply_workload_defaults(&given, **lin);
  ASSERT_TRUE(validate(&given).ok());
  EXPECT_EQ(given.concurrency, 20);
}

TEST(Config, LinKvClientTimeoutFollowsLatency) {
  auto lin = workload::make_workload("lin-kv");
  auto echo = workload::make_workload("echo");
  TestConfig c;
  apply_workload_defaults(&c, **lin);
  EXPECT_DOUBLE_EQ(c.rpc_timeout_s, 1.0);  // max(10 x 0 ms, 1 s)
  c.latency_ms = 250;
  apply_workload_defaults(&c, **lin);
  EXPECT_DOUBLE_EQ(c.rpc_timeout_s, 2.5);
  apply_workload_defaults(&c, **echo);
  EXPECT_DOUBLE_EQ(c.rpc_timeout_s, 5.0);
  c.rpc_timeout_option = 0.5;
  apply_workload_defaults(&c, **lin);
  EXPECT_DOUBLE_EQ(c.rpc_timeout_s, 0.5);
}

TEST(Config, SeedsOutOfRangeAreRefused) {
  EXPECT_EQ(parse_seed("0").value(), 0u);
  EXPECT_EQ(parse_seed("42").value(), 42u);
  EXPECT_EQ(parse_seed("9223372036854775807").value(), 9223372036854775807u);
  for (const char* bad : {"-1", "9223372036854775808", "18446744073709551615", "18446744073709551616",
                          "99999999999999999999999", "", "1e3", "0x10", " 1", "+1"}) {
    auto s = parse_seed(bad);
    ASSERT_FALSE(s.ok()) << "'" << bad << "' gave " << s.value();
    EXPECT_NE(s.error().find("--seed"), std::string::npos) << s.error();
  }
}

TEST(Config, EmptyStoreIsRefused) {
  TestConfig c;
  c.bin = "/bin/true";
  c.store_dir = "";
  auto s = validate(&c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("--store"), std::string::npos) << s.error();
}

TEST(Config, MaelstromFlags) {
  auto ids = parse_node_ids("a,b,c");
  ASSERT_TRUE(ids.ok()) << ids.error();
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b", "c"}));
  for (const std::string& bad :
       std::vector<std::string>{"", ",", "a,a", "lin-kv", "c3", "n\"1", "a b", "..", std::string(65, 'x')}) {
    EXPECT_FALSE(parse_node_ids(bad).ok()) << bad;
  }
  EXPECT_TRUE(parse_node_ids("c,cx,n1").ok());  // only c<digits> is a client's name
  TestConfig c;
  c.bin = "/bin/true";
  c.node_ids = *ids;
  c.concurrency_spec = "2n";
  c.topology = "tree";
  ASSERT_TRUE(validate(&c).ok());
  EXPECT_EQ(c.node_count, 3);
  EXPECT_EQ(c.concurrency, 6);
  EXPECT_EQ(c.node_id(1), "b");
  EXPECT_EQ(c.topology, "tree2");
  TestConfig plain;
  EXPECT_EQ(plain.node_id(4), "n4");
  c.test_count = 0;
  EXPECT_FALSE(validate(&c).ok());
  c.test_count = 3;
  c.workload_options.max_txn_length = 0;
  EXPECT_FALSE(validate(&c).ok());
  c.workload_options.max_txn_length = 4;
  EXPECT_TRUE(validate(&c).ok());
}

}  // namespace
}  // namespace squall::harness
