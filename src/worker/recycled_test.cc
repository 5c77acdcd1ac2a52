// Recycled<T>: an emptied slot keeps its buffers, and reading an empty slot is caught.
#include "worker/recycled.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace squall::worker {
namespace {

// A value with the shape of the core's pages: scalars, a string and a vector.
struct Page {
  uint64_t shard = 0;
  uint64_t fence = 0;
  std::string last_key;
  std::vector<uint32_t> findings;
  bool committed = false;
  void clear_for_reuse() {
    shard = 0;
    fence = 0;
    last_key.clear();
    findings.clear();
    committed = false;
  }
};

// A recycled slot comes back with every field at its default but its buffers kept,
// and reading an empty slot is caught.
TEST(Recycled, EmplaceClearsFieldsAndKeepsCapacity) {
  Recycled<Page> slot;
  EXPECT_FALSE(slot);
  Page& b = slot.emplace();
  b.shard = 7;
  b.fence = 3;
  b.last_key = "k0001234";
  b.findings.assign(100, 1);
  b.committed = true;
  const size_t capacity = b.findings.capacity();
  slot.reset();
  EXPECT_FALSE(slot);
  Page& again = slot.emplace();
  EXPECT_TRUE(slot);
  EXPECT_EQ(again.shard, 0u);
  EXPECT_EQ(again.fence, 0u);
  EXPECT_TRUE(again.last_key.empty());
  EXPECT_TRUE(again.findings.empty());
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.findings.capacity(), capacity);
  slot.reset();
  EXPECT_DEATH((void)slot->shard, "empty Recycled slot");
}

}  // namespace
}  // namespace squall::worker
