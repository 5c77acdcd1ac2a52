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
  c.nemesis = {"kill"};
  s = validate(&c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("unknown nemesis 'kill'"), std::string::npos);
  c.nemesis = {"partition"};
  c.topology = "star";
  EXPECT_FALSE(validate(&c).ok());
  c.topology = "tree3";
  c.concurrency_spec = "2n";
  ASSERT_TRUE(validate(&c).ok());
  EXPECT_EQ(c.concurrency, 10);
  EXPECT_EQ(split_list("partition,,kill"), (std::vector<std::string>{"partition", "kill"}));
}

}  // namespace
}  // namespace squall::harness
