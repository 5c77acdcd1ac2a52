// gossip-worker's command line: defaults, both flag forms, every fault by name, and a
// message naming the flag for each kind of bad input.
#include "worker_driver/options.h"

#include <gtest/gtest.h>

namespace squall::worker_driver {
namespace {

std::variant<Options, OptionsError> parse(std::vector<std::string> args) { return parse_options(args); }

std::string options_error(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  if (!std::holds_alternative<OptionsError>(r)) return "(parsed)";
  return std::get<OptionsError>(r).message;
}

TEST(Options, RequiredFlagsAndDefaults) {
  auto r = parse({"--endpoints", "127.0.0.1:2379,localhost:2380", "--worker-id=4"});
  ASSERT_TRUE(std::holds_alternative<Options>(r)) << std::get<OptionsError>(r).message;
  const Options& o = std::get<Options>(r);
  EXPECT_EQ(o.endpoints, (std::vector<std::string>{"127.0.0.1:2379", "localhost:2380"}));
  EXPECT_EQ(o.worker_id, 4u);
  EXPECT_EQ(o.items, 10'000u);
  EXPECT_EQ(o.prefix, "/squall/");
  EXPECT_TRUE(o.listen.empty());
  EXPECT_FALSE(o.faults.any());
}

TEST(Options, EveryFaultParsesByItsName) {
  std::vector<std::string> args = {"--endpoints", "h:1", "--worker-id", "1"};
  for (worker::Fault f : worker::all_faults()) {
    args.push_back("--fault");
    args.push_back(std::string(worker::fault_name(f)));
  }
  const Options o = std::get<Options>(parse(args));
  for (worker::Fault f : worker::all_faults()) EXPECT_TRUE(o.faults.has(f));
  for (worker::Fault f : worker::all_faults()) EXPECT_NE(usage().find(worker::fault_name(f)), std::string::npos);
}

TEST(Options, CoordMutationsParseByNameAndUnknownOnesAreRefused) {
  const Options o = std::get<Options>(parse({"--endpoints", "h:1", "--worker-id", "1", "--coord-mutation",
                                             "split-with-gap", "--coord-mutation", "acquire-ignores-live-lease"}));
  EXPECT_TRUE(o.mutations.split_with_gap);
  EXPECT_TRUE(o.mutations.acquire_ignores_live_lease);
  EXPECT_FALSE(o.mutations.residual_with_gap);
  const auto bad = parse({"--endpoints", "h:1", "--worker-id", "1", "--coord-mutation", "eat-keys"});
  ASSERT_TRUE(std::holds_alternative<OptionsError>(bad));
  EXPECT_EQ(std::get<OptionsError>(bad).message,
            "--coord-mutation: unknown coordinator mutation 'eat-keys' (see --help)");
  EXPECT_NE(usage().find("residual-with-gap"), std::string::npos);
}

TEST(Options, BadInputNamesTheFlag) {
  EXPECT_NE(options_error({"--worker-id", "1"}).find("--endpoints is required"), std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1"}).find("--worker-id is required"), std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "nocolon", "--worker-id", "1"}).find("--endpoints: 'nocolon'"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "70000"}).find("--worker-id: expected an integer"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "1", "--items", "12x"}).find("--items"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "1", "--fault", "nope"}).find("unknown fault 'nope'"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "1", "--bogus"}).find("unknown argument '--bogus'"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints"}).find("missing value"), std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "1", "--roots", "9", "--items", "5"}).find("--roots"),
            std::string::npos);
  EXPECT_NE(options_error({"--endpoints", "h:1", "--worker-id", "1", "--listen", "h:99999"}).find("--listen"),
            std::string::npos);
}

TEST(Options, HelpWinsAndListensOnPortZero) {
  EXPECT_TRUE(std::get<Options>(parse({"--help"})).help);
  auto r = parse({"--endpoints", "h:1", "--worker-id", "1", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(std::get<Options>(r).listen, "127.0.0.1:0");
}

TEST(Options, ControlClockIsOwnOrRequest) {
  EXPECT_FALSE(std::get<Options>(parse({"--endpoints", "h:1", "--worker-id", "1"})).clock_from_requests);
  EXPECT_TRUE(std::get<Options>(parse({"--endpoints", "h:1", "--worker-id", "1", "--control-clock", "request"}))
                  .clock_from_requests);
  EXPECT_NE(
      options_error({"--endpoints", "h:1", "--worker-id", "1", "--control-clock", "host"}).find("--control-clock"),
      std::string::npos);
}

}  // namespace
}  // namespace squall::worker_driver
