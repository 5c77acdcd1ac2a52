#include "checker/txn/models.h"

#include <gtest/gtest.h>

namespace squall::checker::txn {
namespace {

TEST(TxnModels, AdyaLevels) {
  EXPECT_TRUE(proscribes("read-uncommitted", "G0"));
  EXPECT_FALSE(proscribes("read-uncommitted", "G1c"));
  EXPECT_TRUE(proscribes("read-committed", "G1a"));
  EXPECT_TRUE(proscribes("read-committed", "G0"));  // through read-uncommitted
  EXPECT_FALSE(proscribes("read-committed", "G-single"));
  EXPECT_TRUE(proscribes("snapshot-isolation", "G-single"));
  EXPECT_FALSE(proscribes("snapshot-isolation", "G2-item"));
  EXPECT_TRUE(proscribes("repeatable-read", "G-single"));  // a G-single cycle is a G2-item cycle
  EXPECT_TRUE(proscribes("serializable", "G2-item"));
  EXPECT_FALSE(proscribes("serializable", "G2-item-realtime"));
  EXPECT_FALSE(proscribes("serializable", "G0-process"));
  EXPECT_TRUE(proscribes("strict-serializable", "G0-realtime"));
  EXPECT_TRUE(proscribes("strict-serializable", "G-single-process"));
  EXPECT_TRUE(proscribes("strong-session-serializable", "G1c-process"));
  EXPECT_FALSE(proscribes("strong-session-serializable", "G1c-realtime"));
  for (const auto& a : anomaly_names()) EXPECT_TRUE(proscribes("strict-serializable", a)) << a;
}

TEST(TxnModels, NotAndAlsoNot) {
  auto r = ruled_out({"G1c"});
  EXPECT_EQ(r.not_, std::set<std::string>({"read-committed"}));
  EXPECT_TRUE(r.also_not.count("serializable"));
  EXPECT_TRUE(r.also_not.count("strict-serializable"));
  EXPECT_FALSE(r.rules_out("read-uncommitted"));
  auto p = ruled_out({"G2-item-process"});
  EXPECT_EQ(p.not_, std::set<std::string>({"strong-session-serializable"}));
  EXPECT_EQ(p.also_not, std::set<std::string>({"strict-serializable"}));
  EXPECT_TRUE(ruled_out({}).not_.empty());
}

TEST(TxnModels, Names) {
  EXPECT_EQ(canonical_model(":serializable"), "serializable");
  EXPECT_EQ(canonical_model("strong-serializable"), "strict-serializable");
  EXPECT_FALSE(canonical_model("linearizable").has_value());
  EXPECT_EQ(model_names().front(), "read-uncommitted");
}

}  // namespace
}  // namespace squall::checker::txn
