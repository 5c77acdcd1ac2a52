#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/simulator.h"

namespace squall::sim {
namespace {

TEST(Sim, Level1SeedPasses) {
  SimConfig cfg;
  auto r = run_seed(cfg, 1);
  for (const auto& v : r.violations) ADD_FAILURE() << to_string(v.invariant) << ": " << v.detail;
  EXPECT_TRUE(r.passed);
  EXPECT_GT(r.stats.coord_ops, 100u);
}

}  // namespace
}  // namespace squall::sim
