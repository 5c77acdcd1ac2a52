#include "gossip/basic_workloads.h"

#include <gtest/gtest.h>

#include <set>

#include "core/testing/json.h"
#include "gossip/testing/node_harness.h"

namespace squall::gossip {
namespace {

using testing::NodeHarness;
using V = std::vector<std::string>;

TEST(Echo, EchoesAnyValue) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"echo","msg_id":1,"echo":"hi"})"), V{R"({"type":"echo_ok","echo":"hi","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"echo","msg_id":2,"echo":{"a":[1,null]}})"),
            V{R"({"type":"echo_ok","echo":{"a":[1,null]},"in_reply_to":2})"});
}

TEST(Echo, MissingEchoIsMalformed) {
  NodeHarness h;
  EXPECT_EQ(h.ask(R"({"type":"echo","msg_id":3})"),
            V{R"({"type":"error","code":12,"text":"echo requires key \"echo\"","in_reply_to":3})"});
}

TEST(UniqueIds, IdsAreNodeScopedCounters) {
  NodeHarness h({}, {}, "n2", {"n0", "n1", "n2"});
  EXPECT_EQ(h.ask(R"({"type":"generate","msg_id":1})"), V{R"({"type":"generate_ok","id":"n2-0","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"generate","msg_id":2})"), V{R"({"type":"generate_ok","id":"n2-1","in_reply_to":2})"});
}

// Collects the ids three nodes hand out.
std::multiset<std::string> generate_many(const Faults& faults) {
  std::multiset<std::string> ids;
  for (const char* self : {"n0", "n1", "n2"}) {
    NodeHarness h({}, faults, self, {"n0", "n1", "n2"});
    for (int i = 0; i < 50; ++i) {
      auto out = h.ask(R"({"type":"generate","msg_id":)" + std::to_string(i + 1) + "}");
      EXPECT_EQ(out.size(), 1u);
      auto d = squall::testing::parse_json(out[0]);
      ids.insert(d["id"].GetString());
    }
  }
  return ids;
}

TEST(UniqueIds, UniqueAcrossNodes) {
  auto ids = generate_many({});
  EXPECT_EQ(ids.size(), 150u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 150u);
}

TEST(UniqueIds, DuplicateIdsFaultDuplicates) {
  Faults f;
  f.duplicate_ids = true;
  auto ids = generate_many(f);
  EXPECT_LT(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

}  // namespace
}  // namespace squall::gossip
