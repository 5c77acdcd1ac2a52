#include "gossip/faults.h"

#include <gtest/gtest.h>

namespace squall::gossip {
namespace {

TEST(Faults, NoneByDefault) { EXPECT_FALSE(Faults{}.any()); }

TEST(Faults, ParsesEveryFault) {
  Faults f;
  for (const char* spec : {"no-gossip", "garbage-line", "duplicate-ids", "lose-adds", "kafka-local-offsets",
                           "crash-after=7", "lin-kv-via=seq-kv"}) {
    EXPECT_TRUE(apply_fault(spec, &f).ok()) << spec;
  }
  EXPECT_TRUE(f.no_gossip && f.garbage_line && f.duplicate_ids && f.lose_adds && f.kafka_local_offsets);
  EXPECT_EQ(f.crash_after, 7);
  EXPECT_EQ(f.lin_kv_via, "seq-kv");
  EXPECT_TRUE(f.any());
}

TEST(Faults, RejectsBadSpecsWithUsefulMessages) {
  Faults f;
  for (const char* spec : {"", "nope", "crash-after", "crash-after=", "crash-after=-1", "crash-after=3x",
                           "lin-kv-via=redis", "no-gossip=1"}) {
    Status s = apply_fault(spec, &f);
    EXPECT_FALSE(s.ok()) << spec;
  }
  Status s = apply_fault("nope", &f);
  EXPECT_NE(s.error().find("lose-adds"), std::string::npos);
  EXPECT_FALSE(f.any());
}

}  // namespace
}  // namespace squall::gossip
